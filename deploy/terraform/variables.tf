variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "iamsweep"
}

variable "package_zip" {
  description = "Path to the deployment package: a zip holding the bootstrap binary (see docs/unattended.md)."
  type        = string
  default     = "iamsweep-lambda.zip"
}

variable "architecture" {
  description = "CPU architecture the bootstrap was built for: arm64 (GOARCH=arm64) or x86_64 (GOARCH=amd64)."
  type        = string
  default     = "arm64"
  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "schedule_expression" {
  description = "When the scheduled scan runs (EventBridge schedule expression, UTC)."
  type        = string
  default     = "cron(0 6 * * ? *)"
}

variable "max_unused_days" {
  description = "A password or active access key unused for at least this many days is unused."
  type        = number
  default     = 90
  validation {
    condition     = var.max_unused_days >= 1
    error_message = "max_unused_days must be at least 1."
  }
}

variable "rotation_days" {
  description = "An active access key older than this many days is not rotated."
  type        = number
  default     = 90
  validation {
    condition     = var.rotation_days >= 1
    error_message = "rotation_days must be at least 1."
  }
}

variable "notification_email" {
  description = "E-mail address subscribed to the report topic (empty for none; the address must confirm)."
  type        = string
  default     = ""
}

variable "excluded_users" {
  description = "IAM user names never acted on, kept in an SSM parameter read at every run."
  type        = list(string)
  default     = []
}

variable "config_parameter_name" {
  description = "Name of an existing SSM parameter holding an iamsweep YAML config, without a leading slash (empty for none)."
  type        = string
  default     = ""
}

variable "slack_webhook_parameter_name" {
  description = "Name of an existing SSM SecureString parameter holding a Slack incoming webhook URL, without a leading slash (empty for none)."
  type        = string
  default     = ""
}

variable "enable_config_rule" {
  description = "Also create an AWS Config custom rule served by the function (needs a Config recorder)."
  type        = bool
  default     = false
}

variable "owner_topic_arns" {
  description = "SNS topics the config's lifecycle.owner_targets send owners' own reports to; the role may publish only to these and the report topic."
  type        = list(string)
  default     = []
}

variable "enable_required_tags_rule" {
  description = "Also create the AWS managed Config rule required-tags on AWS::IAM::User, flagging users without an expiry and an owner tag (needs a Config recorder that records IAM users)."
  type        = bool
  default     = false
}

variable "required_expiry_tag_key" {
  description = "The expiry tag key the required-tags rule asks for (iamsweep expire writes iamsweep:expires unless lifecycle.expiry_tags says otherwise)."
  type        = string
  default     = "iamsweep:expires"
}

variable "required_owner_tag_key" {
  description = "The owner tag key the required-tags rule asks for."
  type        = string
  default     = "iamsweep:owner"
}

variable "log_level" {
  description = "Level of the function's JSON logs: debug, info, warn or error."
  type        = string
  default     = "info"
}

variable "log_retention_days" {
  description = "Days the function's logs are kept."
  type        = number
  default     = 90
}

variable "enable_evidence" {
  description = "Gather evidence (CloudTrail event history in every enabled region, Access Advisor, Access Analyzer) for the scan's candidates; with auto-disable, only users proven unused are disabled."
  type        = bool
  default     = false
}

variable "enable_auto_disable" {
  description = "Disable unused users after each scan (keys inactive, console login removed, AWSDenyAll attached; reversible with iamsweep restore). Grants the role those IAM writes."
  type        = bool
  default     = false
}

variable "enable_auto_delete" {
  description = "Also delete users iamsweep disabled at least quarantine_days ago with no use since, after uploading a backup to backup_bucket_name; a user with any attempt since its disable (CloudTrail) is never deleted. Needs enable_auto_disable, enable_evidence and backup_bucket_name."
  type        = bool
  default     = false
}

variable "quarantine_days" {
  description = "Days a user stays disabled before auto-delete may delete it."
  type        = number
  default     = 14
  validation {
    condition     = var.quarantine_days >= 1
    error_message = "quarantine_days must be at least 1."
  }
}

variable "max_users" {
  description = "Most users one run may disable or delete; a run that would change more changes nothing and fails."
  type        = number
  default     = 20
  validation {
    condition     = var.max_users >= 1
    error_message = "max_users must be at least 1."
  }
}

variable "backup_bucket_name" {
  description = "Existing S3 bucket receiving each user's backup (iamsweep/backups/ACCOUNT/USER-TIME.json) before auto-delete deletes it (empty for none)."
  type        = string
  default     = ""
}

variable "report_bucket_name" {
  description = "Existing S3 bucket receiving each scheduled run's HTML report (scan, evidence, retire plan), linked pre-signed (up to 7 days) from the e-mail and Slack message (empty for none)."
  type        = string
  default     = ""
}

variable "report_prefix" {
  description = "Key prefix of the HTML reports in report_bucket_name (ends with /); the role may put and get objects under it only."
  type        = string
  default     = "iamsweep/reports/"
  validation {
    condition     = var.report_prefix == "" || can(regex("^[A-Za-z0-9!_.*'()/-]*/$", var.report_prefix))
    error_message = "report_prefix must be empty or end with /."
  }
}
