locals {
  owner = "bo"
  user  = "${local.owner}b"
}

resource "aws_iam_user" "ci" {
  name = local.user
}
