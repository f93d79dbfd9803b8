resource "aws_iam_user" "people" {
  for_each = toset(["bob", "zed"])
  name     = each.value
}
