package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

const account = "123456789012"

var (
	regions    = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"}
	userAgents = []string{
		`[aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.47.7]`,
		`aws-cli/2.15.10 Python/3.11.6 Linux/6.1.0 exe/x86_64.amzn.2023 prompt/off command/s3.cp`,
		`Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.205 md/arch#x86_64 lang/python#3.12.1 cfg/retry-mode#legacy Botocore/1.34.11`,
		`[Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.49.13 (go1.21.5; linux; amd64)]`,
		`console.amazonaws.com`,
	}
	s3Events  = []string{"GetObject", "GetObject", "GetObject", "PutObject", "HeadObject", "ListObjects", "DeleteObject"}
	mgmtEvent = [][2]string{{"ec2.amazonaws.com", "DescribeInstances"}, {"iam.amazonaws.com", "GetUser"}, {"sts.amazonaws.com", "GetCallerIdentity"}, {"kms.amazonaws.com", "Decrypt"}, {"lambda.amazonaws.com", "Invoke"}}
)

// population is the set of principals the generated account has.
type population struct {
	users   []string // IAM users with one key each
	keys    []string // users[i]'s key
	roles   []string
	wanted  []string // 1,000 key IDs searched for
	present []string // the wanted keys that actually appear
}

func keyID(r *rand.Rand, prefix string) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := []byte(prefix)
	for len(b) < 20 {
		b = append(b, alnum[r.IntN(len(alnum))])
	}
	return string(b)
}

func newPopulation(r *rand.Rand) *population {
	p := &population{}
	for i := range 2000 {
		p.users = append(p.users, "svc-"+strconv.Itoa(i))
		p.keys = append(p.keys, keyID(r, "AKIA"))
	}
	for i := range 50 {
		p.roles = append(p.roles, "app-role-"+strconv.Itoa(i))
	}
	// 20 wanted keys are in the data, 980 are not (most candidates are
	// truly unused).
	p.present = p.keys[:20]
	p.wanted = append(p.wanted, p.present...)
	for len(p.wanted) < 1000 {
		p.wanted = append(p.wanted, keyID(r, "AKIA"))
	}
	return p
}

func hex(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

// record appends one realistic CloudTrail event. hitRate is the chance the
// event is made by one of the present wanted keys.
func (p *population) record(b []byte, r *rand.Rand, t time.Time, region string, hitRate float64) []byte {
	ua := userAgents[r.IntN(len(userAgents))]
	ip := fmt.Sprintf("203.0.%d.%d", r.IntN(256), r.IntN(256))
	var identity string
	switch x := r.Float64(); {
	case x < hitRate:
		i := r.IntN(len(p.present))
		identity = fmt.Sprintf(`{"type":"IAMUser","principalId":"AIDA%s","arn":"arn:aws:iam::%s:user/%s","accountId":"%s","accessKeyId":"%s","userName":"%s"}`,
			hex(r, 16), account, p.users[i], account, p.present[i], p.users[i])
	case x < 0.55:
		i := 20 + r.IntN(len(p.users)-20)
		identity = fmt.Sprintf(`{"type":"IAMUser","principalId":"AIDA%s","arn":"arn:aws:iam::%s:user/%s","accountId":"%s","accessKeyId":"%s","userName":"%s"}`,
			hex(r, 16), account, p.users[i], account, p.keys[i], p.users[i])
	default:
		role := p.roles[r.IntN(len(p.roles))]
		identity = fmt.Sprintf(`{"type":"AssumedRole","principalId":"AROA%s:i-%s","arn":"arn:aws:sts::%s:assumed-role/%s/i-%s","accountId":"%s","accessKeyId":"%s","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA%s","arn":"arn:aws:iam::%s:role/%s","accountId":"%s","userName":"%s"},"attributes":{"creationDate":"%s","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}}`,
			hex(r, 16), hex(r, 17), account, role, hex(r, 17), account, keyID(r, "ASIA"), hex(r, 16), account, role, account, role, t.Add(-time.Hour).Format(time.RFC3339))
	}
	ts := t.Format(time.RFC3339)
	if r.IntN(10) < 7 {
		bucket := "data-" + strconv.Itoa(r.IntN(40))
		key := fmt.Sprintf("warehouse/table-%d/dt=%s/part-%05d-%s.snappy.parquet", r.IntN(200), t.Format("2006-01-02"), r.IntN(10000), hex(r, 32))
		return fmt.Appendf(b, `{"eventVersion":"1.09","userIdentity":%s,"eventTime":"%s","eventSource":"s3.amazonaws.com","eventName":"%s","awsRegion":"%s","sourceIPAddress":"%s","userAgent":"%s","requestParameters":{"bucketName":"%s","Host":"%s.s3.%s.amazonaws.com","key":"%s"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"%s=","bytesTransferredOut":%d},"requestID":"%s","eventID":"%s-%s-%s-%s-%s","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::%s/%s"},{"accountId":"%s","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::%s"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"%s","eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"%s.s3.%s.amazonaws.com"}}`,
			identity, ts, s3Events[r.IntN(len(s3Events))], region, ip, ua, bucket, bucket, region, key, hex(r, 60), r.IntN(1<<24), hex(r, 16), hex(r, 8), hex(r, 4), hex(r, 4), hex(r, 4), hex(r, 12), bucket, key, account, bucket, account, bucket, region)
	}
	m := mgmtEvent[r.IntN(len(mgmtEvent))]
	errPart := ""
	if r.IntN(20) == 0 {
		errPart = `"errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this operation",`
	}
	return fmt.Appendf(b, `{"eventVersion":"1.08","userIdentity":%s,"eventTime":"%s","eventSource":"%s","eventName":"%s","awsRegion":"%s","sourceIPAddress":"%s","userAgent":"%s",%s"requestParameters":{"maxResults":1000,"filterSet":{"items":[{"name":"tag:team","valueSet":{"items":[{"value":"data-%d"}]}}]}},"responseElements":null,"requestID":"%s-%s","eventID":"%s-%s","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"%s","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"%s"}}`,
		identity, ts, m[0], m[1], region, ip, ua, errPart, r.IntN(50), hex(r, 8), hex(r, 24), hex(r, 8), hex(r, 24), account, m[0])
}

// generate writes about size uncompressed bytes over days days, 4 regions,
// files of about 4 MB, in parallel. It returns the file paths in day order.
func generate(dir string, size int64, days int, start time.Time, p *population, hitRate float64, workers int) ([]string, error) {
	const fileSize = 4 << 20
	nFiles := int(max(size/fileSize, 1))
	type job struct {
		i    int
		path string
	}
	paths := make([]string, nFiles)
	jobs := make(chan job)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := writeLogFile(j.path, j.i, nFiles, days, start, p, hitRate, fileSize); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range nFiles {
		d := start.AddDate(0, 0, i*days/nFiles)
		region := regions[i%len(regions)]
		paths[i] = filepath.Join(dir, "AWSLogs", account, "CloudTrail", region, d.Format("2006/01/02"),
			fmt.Sprintf("%s_CloudTrail_%s_%sT%02d%02dZ_%06d.json.gz", account, region, d.Format("20060102"), i%24, i%60, i))
		jobs <- job{i, paths[i]}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return nil, err
	default:
		return paths, nil
	}
}

func writeLogFile(path string, i, nFiles, days int, start time.Time, p *population, hitRate float64, size int) error {
	r := rand.New(rand.NewPCG(uint64(i), 42))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 256<<10)
	zw, _ := gzip.NewWriterLevel(bw, gzip.DefaultCompression)
	region := regions[i%len(regions)]
	dayStart := start.AddDate(0, 0, i*days/nFiles)
	buf := []byte(`{"Records":[`)
	written := 0
	for n := 0; written < size; n++ {
		if n > 0 {
			buf = append(buf, ',')
		}
		t := dayStart.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
		buf = p.record(buf, r, t, region, hitRate)
		if len(buf) > 64<<10 {
			written += len(buf)
			if _, err := zw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, "]}"...)
	if _, err := zw.Write(buf); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
