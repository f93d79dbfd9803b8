# Retired: the ci user moved to OIDC.
# resource "aws_iam_user" "ci" {
#   name = "bob"
# }
