package evidence

// CloudTrailLookupRate is LookupEvents' quota: 2 requests per second per
// account per region. Exceeding it only earns ThrottlingExceptions, so the
// client spaces its requests instead of relying on retries.
const CloudTrailLookupRate = 2
