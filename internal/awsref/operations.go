package awsref

import "strings"

// Operation is what an API operation needs: the IAM actions (several for
// a few calls), or Unsupported saying why none can be named.
type Operation struct {
	Actions     []string
	Unsupported string
}

// exceptions are the API operations whose IAM action is not
// "prefix:OperationName", from the Service Authorization Reference's
// per-action notes and each API reference's "Permissions" section. A test
// checks each action exists in the reference and each operation of
// botocore's models resolves.
var exceptions = map[string]Operation{
	"s3:CompleteMultipartUpload":                     {Actions: []string{"s3:PutObject"}},
	"s3:CopyObject":                                  {Actions: []string{"s3:PutObject"}}, // and s3:GetObject on the source, added from x-amz-copy-source
	"s3:CreateBucketMetadataConfiguration":           {Actions: []string{"s3:CreateBucketMetadataTableConfiguration"}},
	"s3:CreateMultipartUpload":                       {Actions: []string{"s3:PutObject"}},
	"s3:CreateSession":                               {Actions: []string{"s3express:CreateSession"}},
	"s3:DeleteBucketAnalyticsConfiguration":          {Actions: []string{"s3:PutAnalyticsConfiguration"}},
	"s3:DeleteBucketCors":                            {Actions: []string{"s3:PutBucketCORS"}},
	"s3:DeleteBucketEncryption":                      {Actions: []string{"s3:PutEncryptionConfiguration"}},
	"s3:DeleteBucketIntelligentTieringConfiguration": {Actions: []string{"s3:PutIntelligentTieringConfiguration"}},
	"s3:DeleteBucketInventoryConfiguration":          {Actions: []string{"s3:PutInventoryConfiguration"}},
	"s3:DeleteBucketLifecycle":                       {Actions: []string{"s3:PutLifecycleConfiguration"}},
	"s3:DeleteBucketMetadataConfiguration":           {Actions: []string{"s3:DeleteBucketMetadataTableConfiguration"}},
	"s3:DeleteBucketMetricsConfiguration":            {Actions: []string{"s3:PutMetricsConfiguration"}},
	"s3:DeleteBucketOwnershipControls":               {Actions: []string{"s3:PutBucketOwnershipControls"}},
	"s3:DeleteBucketReplication":                     {Actions: []string{"s3:PutReplicationConfiguration"}},
	"s3:DeleteBucketTagging":                         {Actions: []string{"s3:PutBucketTagging"}},
	"s3:DeleteObjects":                               {Actions: []string{"s3:DeleteObject"}},
	"s3:DeletePublicAccessBlock":                     {Actions: []string{"s3:PutBucketPublicAccessBlock"}},
	"s3:GetBucketAccelerateConfiguration":            {Actions: []string{"s3:GetAccelerateConfiguration"}},
	"s3:GetBucketAnalyticsConfiguration":             {Actions: []string{"s3:GetAnalyticsConfiguration"}},
	"s3:GetBucketEncryption":                         {Actions: []string{"s3:GetEncryptionConfiguration"}},
	"s3:GetBucketIntelligentTieringConfiguration":    {Actions: []string{"s3:GetIntelligentTieringConfiguration"}},
	"s3:GetBucketInventoryConfiguration":             {Actions: []string{"s3:GetInventoryConfiguration"}},
	"s3:GetBucketLifecycle":                          {Actions: []string{"s3:GetLifecycleConfiguration"}},
	"s3:GetBucketLifecycleConfiguration":             {Actions: []string{"s3:GetLifecycleConfiguration"}},
	"s3:GetBucketMetadataConfiguration":              {Actions: []string{"s3:GetBucketMetadataTableConfiguration"}},
	"s3:GetBucketMetricsConfiguration":               {Actions: []string{"s3:GetMetricsConfiguration"}},
	"s3:GetBucketNotificationConfiguration":          {Actions: []string{"s3:GetBucketNotification"}},
	"s3:GetBucketReplication":                        {Actions: []string{"s3:GetReplicationConfiguration"}},
	"s3:GetObjectLockConfiguration":                  {Actions: []string{"s3:GetBucketObjectLockConfiguration"}},
	"s3:GetPublicAccessBlock":                        {Actions: []string{"s3:GetBucketPublicAccessBlock"}},
	"s3:HeadBucket":                                  {Actions: []string{"s3:ListBucket"}},
	"s3:HeadObject":                                  {Actions: []string{"s3:GetObject"}},
	"s3:ListBucketAnalyticsConfigurations":           {Actions: []string{"s3:GetAnalyticsConfiguration"}},
	"s3:ListBucketIntelligentTieringConfigurations":  {Actions: []string{"s3:GetIntelligentTieringConfiguration"}},
	"s3:ListBucketInventoryConfigurations":           {Actions: []string{"s3:GetInventoryConfiguration"}},
	"s3:ListBucketMetricsConfigurations":             {Actions: []string{"s3:GetMetricsConfiguration"}},
	"s3:ListBuckets":                                 {Actions: []string{"s3:ListAllMyBuckets"}},
	"s3:ListDirectoryBuckets":                        {Actions: []string{"s3express:ListAllMyDirectoryBuckets"}},
	"s3:ListMultipartUploads":                        {Actions: []string{"s3:ListBucketMultipartUploads"}},
	"s3:ListObjectVersions":                          {Actions: []string{"s3:ListBucketVersions"}},
	"s3:ListObjects":                                 {Actions: []string{"s3:ListBucket"}},
	"s3:ListObjectsV2":                               {Actions: []string{"s3:ListBucket"}},
	"s3:ListParts":                                   {Actions: []string{"s3:ListMultipartUploadParts"}},
	"s3:PutBucketAccelerateConfiguration":            {Actions: []string{"s3:PutAccelerateConfiguration"}},
	"s3:PutBucketAnalyticsConfiguration":             {Actions: []string{"s3:PutAnalyticsConfiguration"}},
	"s3:PutBucketEncryption":                         {Actions: []string{"s3:PutEncryptionConfiguration"}},
	"s3:PutBucketIntelligentTieringConfiguration":    {Actions: []string{"s3:PutIntelligentTieringConfiguration"}},
	"s3:PutBucketInventoryConfiguration":             {Actions: []string{"s3:PutInventoryConfiguration"}},
	"s3:PutBucketLifecycle":                          {Actions: []string{"s3:PutLifecycleConfiguration"}},
	"s3:PutBucketLifecycleConfiguration":             {Actions: []string{"s3:PutLifecycleConfiguration"}},
	"s3:PutBucketMetricsConfiguration":               {Actions: []string{"s3:PutMetricsConfiguration"}},
	"s3:PutBucketNotificationConfiguration":          {Actions: []string{"s3:PutBucketNotification"}},
	"s3:PutBucketReplication":                        {Actions: []string{"s3:PutReplicationConfiguration"}},
	"s3:PutObjectLockConfiguration":                  {Actions: []string{"s3:PutBucketObjectLockConfiguration"}},
	"s3:PutPublicAccessBlock":                        {Actions: []string{"s3:PutBucketPublicAccessBlock"}},
	"s3:RenameObject":                                {Actions: []string{"s3express:CreateSession"}}, // directory buckets authorize through the session
	"s3:SelectObjectContent":                         {Actions: []string{"s3:GetObject"}},
	"s3:UploadPart":                                  {Actions: []string{"s3:PutObject"}},
	"s3:UploadPartCopy":                              {Actions: []string{"s3:PutObject"}},
	"s3:WriteGetObjectResponse":                      {Actions: []string{"s3-object-lambda:WriteGetObjectResponse"}},
	// PartiQL calls need the PartiQL action of each statement's verb;
	// migrate reads the statement (see PartiQLAction). Without it: these.
	"dynamodb:ExecuteStatement":      {Unsupported: "the PartiQL action depends on the statement, which the record does not hold"},
	"dynamodb:BatchExecuteStatement": {Unsupported: "the PartiQL action depends on the statements, which the record does not hold"},
	"dynamodb:ExecuteTransaction":    {Unsupported: "the PartiQL action depends on the statements, which the record does not hold"},
	"dynamodb:TransactGetItems":      {Actions: []string{"dynamodb:GetItem"}},
	// TransactWriteItems needs the item action of each write (read from
	// transactItems); without it, all four.
	"dynamodb:TransactWriteItems":      {Actions: []string{"dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
	"sqs:ChangeMessageVisibilityBatch": {Actions: []string{"sqs:ChangeMessageVisibility"}},
	"sqs:DeleteMessageBatch":           {Actions: []string{"sqs:DeleteMessage"}},
	"sqs:SendMessageBatch":             {Actions: []string{"sqs:SendMessage"}},
	"sns:PublishBatch":                 {Actions: []string{"sns:Publish"}},
	"lambda:GetLayerVersionByArn":      {Actions: []string{"lambda:GetLayerVersion"}},
	"lambda:Invoke":                    {Actions: []string{"lambda:InvokeFunction"}},
	"lambda:InvokeAsync":               {Actions: []string{"lambda:InvokeAsync"}},
	"lambda:InvokeWithResponseStream":  {Actions: []string{"lambda:InvokeFunction"}},
	"ecr:ListImageReferrers":           {Unsupported: "the Service Authorization Reference names no action for ListImageReferrers"},
	"kms:ReEncrypt":                    {Actions: []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}},
}

// noPermission are calls IAM never authorizes by policy.
var noPermission = map[string]bool{
	"sts:GetCallerIdentity": true, "signin:ConsoleLogin": true, "signin:CheckMfa": true, "signin:SwitchRole": true,
}

// Resolve maps an API operation of a service prefix to the IAM actions it
// needs: the exception table, else the action of the same name when the
// reference has it. For prefixes the reference does not cover, the
// operation name is returned as is, and Unsupported stays empty; callers
// check Known. A call that needs no permission has no actions.
func (r *Reference) Resolve(prefix, operation string) Operation {
	name := prefix + ":" + operation
	if noPermission[name] {
		return Operation{}
	}
	if op, ok := exceptions[name]; ok {
		return op
	}
	if !r.Known(prefix) {
		return Operation{Actions: []string{name}}
	}
	if a, ok := r.Action(name); ok {
		return Operation{Actions: []string{strings.ToLower(prefix) + ":" + a.Name}}
	}
	return Operation{Unsupported: "AWS's Service Authorization Reference (" + r.Date + ") has no action " + name + " and no mapping of the operation is known"}
}

// PartiQLAction is the DynamoDB action of a PartiQL statement's verb, and
// the table it names ("" when the statement cannot be read).
func PartiQLAction(statement string) (action, table string) {
	f := strings.Fields(statement)
	if len(f) < 2 {
		return "", ""
	}
	verb := strings.ToUpper(f[0])
	word := func(after string) string {
		for i := 0; i+1 < len(f); i++ {
			if strings.EqualFold(f[i], after) {
				t := strings.Trim(f[i+1], `"';`)
				t, _, _ = strings.Cut(t, `"`)
				t, _, _ = strings.Cut(t, ".") // "T"."Index"
				return t
			}
		}
		return ""
	}
	switch verb {
	case "SELECT":
		return "dynamodb:PartiQLSelect", word("FROM")
	case "INSERT":
		return "dynamodb:PartiQLInsert", word("INTO")
	case "UPDATE":
		return "dynamodb:PartiQLUpdate", strings.Trim(f[1], `"`)
	case "DELETE":
		return "dynamodb:PartiQLDelete", word("FROM")
	}
	return "", ""
}
