// Test-only driver for iamsweep's differential test of internal/policy:
// reads a JSON array of cases from stdin ({policy, action, resource,
// context}), evaluates each as an identity policy of an IAM user in
// account 123456789012 with @cloud-copilot/iam-simulate, and writes a JSON
// array of results ("Allowed", "ExplicitlyDenied", "ImplicitlyDenied", or
// "error: ..." when the simulator refuses the input).
import { runSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const c of process.stdin) chunks.push(c)
const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'))
const out = []
for (const c of cases) {
  try {
    const res = await runSimulation(
      {
        identityPolicies: [{ name: 'p', policy: c.policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: undefined,
        request: {
          action: c.action,
          principal: 'arn:aws:iam::123456789012:user/alice',
          resource: { accountId: '123456789012', resource: c.resource },
          contextVariables: c.context || {}
        }
      },
      {}
    )
    if (res.resultType === 'error') {
      out.push('error: ' + JSON.stringify(res.errors))
    } else {
      out.push(res.overallResult)
    }
  } catch (e) {
    out.push('error: ' + String(e))
  }
}
process.stdout.write(JSON.stringify(out))
