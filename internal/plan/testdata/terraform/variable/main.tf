variable "user" {
  type    = string
  default = "bob"
}

resource "aws_iam_user" "ci" {
  name = var.user
}
