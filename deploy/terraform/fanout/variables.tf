variable "name" {
  type    = string
  default = "iamsweep-fanout"
}
variable "code_s3_bucket" { type = string }
variable "code_s3_key" {
  type    = string
  default = "iamsweep/iamsweep-lambda.zip"
}
variable "architecture" {
  type    = string
  default = "arm64"
}
variable "schedule_expression" {
  type    = string
  default = "cron(0 6 * * ? *)"
}
variable "organizational_unit_ids" {
  type    = list(string)
  default = []
}
variable "excluded_accounts" {
  type    = list(string)
  default = []
}
variable "member_role_name" {
  type    = string
  default = "iamsweep-member"
}
variable "external_id" {
  type      = string
  default   = ""
  sensitive = true
}
variable "max_concurrency" {
  type    = number
  default = 40
}
variable "tolerated_failure_percentage" {
  type    = number
  default = 10
}
variable "enable_evidence" {
  type    = bool
  default = false
}
variable "enable_auto_disable" {
  type    = bool
  default = false
}
variable "enable_auto_delete" {
  type    = bool
  default = false
}
variable "retire_opt_in" {
  type        = string
  default     = ""
  description = "Comma-separated ACCOUNT_OR_OU=disable|delete (IAMSWEEP_RETIRE_OPT_IN)."
}
variable "backup_bucket_name" {
  type    = string
  default = ""
}
variable "max_unused_days" {
  type    = number
  default = 90
}
variable "rotation_days" {
  type    = number
  default = 90
}
variable "enable_securityhub" {
  type    = bool
  default = false
}
variable "results_retention_days" {
  type    = number
  default = 30
}
variable "log_level" {
  type    = string
  default = "info"
}
variable "log_retention_days" {
  type    = number
  default = 90
}
