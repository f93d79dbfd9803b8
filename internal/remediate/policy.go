package remediate

// DenyAllPolicyARN is the AWS managed policy that denies every action.
const DenyAllPolicyARN = "arn:aws:iam::aws:policy/AWSDenyAll"
