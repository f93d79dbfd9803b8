variable "team" {
  default = "b"
}

resource "aws_iam_user" "ci" {
  name = "${var.team}ob"
}
