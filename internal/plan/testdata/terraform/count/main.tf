variable "users" {
  default = ["alice-ci", "bob"]
}

resource "aws_iam_user" "ci" {
  count = length(var.users)
  name  = var.users[count.index]
}
