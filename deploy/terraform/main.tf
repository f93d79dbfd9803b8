# iamsweep, unattended: the same resources as ../cloudformation.yaml.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  ssm_arn   = "arn:${local.partition}:ssm:${local.region}:${local.account}:parameter"

  exclusions  = length(var.excluded_users) > 0
  auto_delete = var.enable_auto_disable && var.enable_auto_delete
  user_arns   = "arn:${local.partition}:iam::${local.account}:user/*"
  # The condition key is kept out of the policy document's block, whose
  # quoted service:Action strings the deploy test compares with the template.
  policy_arn_condition_key = "iam:PolicyARN"
  read_parameters = concat(
    local.exclusions ? ["${local.ssm_arn}${aws_ssm_parameter.excluded_users[0].name}"] : [],
    var.config_parameter_name != "" ? ["${local.ssm_arn}/${var.config_parameter_name}"] : [],
    var.slack_webhook_parameter_name != "" ? ["${local.ssm_arn}/${var.slack_webhook_parameter_name}"] : [],
  )
}

resource "aws_sns_topic" "report" {
  name              = "${var.name}-report"
  display_name      = "iamsweep report"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.notification_email != "" ? 1 : 0
  topic_arn = aws_sns_topic.report.arn
  protocol  = "email"
  endpoint  = var.notification_email
}

resource "aws_ssm_parameter" "excluded_users" {
  count       = local.exclusions ? 1 : 0
  name        = "/iamsweep/${var.name}/excluded-users"
  type        = "StringList"
  value       = join(",", var.excluded_users)
  description = "IAM user names iamsweep never acts on (comma-separated)."
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "function" {
  statement {
    sid = "ReadIAMUsersAndCredentials"
    actions = [
      "iam:GenerateCredentialReport",
      "iam:GetCredentialReport",
      "iam:GetAccountAuthorizationDetails",
    ]
    resources = ["*"]
  }
  statement {
    sid = "ReadUserCredentialDetails"
    actions = [
      "iam:ListAccessKeys",
      "iam:GetLoginProfile",
      "iam:ListSSHPublicKeys",
      "iam:ListServiceSpecificCredentials",
    ]
    resources = ["arn:${local.partition}:iam::${local.account}:user/*"]
  }
  statement {
    sid = "WriteLogs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }
  statement {
    sid       = "PublishReport"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.report.arn]
  }
  dynamic "statement" {
    for_each = length(var.owner_topic_arns) > 0 ? [1] : []
    content {
      sid       = "PublishOwnerReports"
      actions   = ["sns:Publish"]
      resources = var.owner_topic_arns
    }
  }
  dynamic "statement" {
    for_each = length(local.read_parameters) > 0 ? [1] : []
    content {
      sid       = "ReadParameters"
      actions   = ["ssm:GetParameter"]
      resources = local.read_parameters
    }
  }
  dynamic "statement" {
    for_each = var.enable_config_rule ? [1] : []
    content {
      sid       = "SendConfigEvaluations"
      actions   = ["config:PutEvaluations"]
      resources = ["*"]
    }
  }
  dynamic "statement" {
    for_each = var.enable_evidence ? [1] : []
    content {
      sid = "ReadEvidenceOfUse"
      actions = [
        "cloudtrail:LookupEvents",
        "account:ListRegions",
        "iam:GetServiceLastAccessedDetails",
        "access-analyzer:ListAnalyzers",
        "access-analyzer:ListFindings",
      ]
      resources = ["*"]
    }
  }
  dynamic "statement" {
    for_each = var.enable_evidence ? [1] : []
    content {
      sid       = "StartAccessAdvisorJobs"
      actions   = ["iam:GenerateServiceLastAccessedDetails"]
      resources = [local.user_arns]
    }
  }
  dynamic "statement" {
    for_each = var.enable_evidence ? [1] : []
    content {
      sid       = "ReadSuccessorRoles"
      actions   = ["iam:GetRole"]
      resources = ["arn:${local.partition}:iam::${local.account}:role/*"]
    }
  }
  dynamic "statement" {
    for_each = var.enable_auto_disable ? [1] : []
    content {
      sid = "DisableUnusedUsers"
      actions = [
        "iam:GetUser",
        "iam:GetAccessKeyLastUsed",
        "iam:ListAttachedUserPolicies",
        "iam:UpdateAccessKey",
        "iam:DeleteLoginProfile",
        "iam:TagUser",
        "iam:UntagUser",
      ]
      resources = [local.user_arns]
    }
  }
  dynamic "statement" {
    for_each = var.enable_auto_disable ? [1] : []
    content {
      sid       = "CheckBeforeTheFirstChange"
      actions   = ["iam:GetPolicy"]
      resources = ["arn:${local.partition}:iam::aws:policy/AWSDenyAll"]
    }
  }
  dynamic "statement" {
    for_each = var.enable_auto_disable ? [1] : []
    content {
      sid       = "SimulateOwnPermissions"
      actions   = ["iam:SimulatePrincipalPolicy"]
      resources = ["arn:${local.partition}:iam::${local.account}:role/*"]
    }
  }
  dynamic "statement" {
    for_each = var.enable_auto_disable ? [1] : []
    content {
      sid       = "AttachOnlyTheDenyAllPolicy"
      actions   = ["iam:AttachUserPolicy"]
      resources = [local.user_arns]
      condition {
        test     = "ArnEquals"
        variable = local.policy_arn_condition_key
        values   = ["arn:${local.partition}:iam::aws:policy/AWSDenyAll"]
      }
    }
  }
  dynamic "statement" {
    for_each = local.auto_delete ? [1] : []
    content {
      sid = "DeleteUsersAfterQuarantine"
      actions = [
        "iam:ListGroupsForUser",
        "iam:ListUserPolicies",
        "iam:GetUserPolicy",
        "iam:ListMFADevices",
        "iam:ListSSHPublicKeys",
        "iam:ListSigningCertificates",
        "iam:ListServiceSpecificCredentials",
        "iam:DeleteAccessKey",
        "iam:DeleteSigningCertificate",
        "iam:DeleteSSHPublicKey",
        "iam:DeleteServiceSpecificCredential",
        "iam:DeactivateMFADevice",
        "iam:DeleteUserPolicy",
        "iam:DetachUserPolicy",
        "iam:RemoveUserFromGroup",
        "iam:DeleteUserPermissionsBoundary",
        "iam:DeleteUser",
      ]
      resources = [local.user_arns]
    }
  }
  dynamic "statement" {
    for_each = local.auto_delete ? [1] : []
    content {
      sid       = "DeleteVirtualMFADevices"
      actions   = ["iam:DeleteVirtualMFADevice"]
      resources = ["arn:${local.partition}:iam::${local.account}:mfa/*"]
    }
  }
  dynamic "statement" {
    for_each = local.auto_delete ? [1] : []
    content {
      sid       = "WriteBackupsBeforeDeleting"
      actions   = ["s3:PutObject"]
      resources = ["arn:${local.partition}:s3:::${var.backup_bucket_name}/iamsweep/backups/*"]
    }
  }
  # The link is signed with the role's credentials: it serves the page
  # only while the role may get it.
  dynamic "statement" {
    for_each = var.report_bucket_name != "" ? [1] : []
    content {
      sid       = "StoreAndLinkTheHTMLReport"
      actions   = ["s3:PutObject", "s3:GetObject"]
      resources = ["arn:${local.partition}:s3:::${var.report_bucket_name}/${var.report_prefix}*"]
    }
  }
}

resource "aws_iam_role" "function" {
  name               = "${var.name}-function"
  description        = "iamsweep unattended scan (read-only on IAM unless auto-disable is on)"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "function" {
  name   = "iamsweep-scan"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}

resource "aws_lambda_function" "iamsweep" {
  function_name    = var.name
  description      = "iamsweep scheduled scan and AWS Config rule"
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = [var.architecture]
  filename         = var.package_zip
  source_code_hash = filebase64sha256(var.package_zip)
  role             = aws_iam_role.function.arn
  memory_size      = 256
  # A credential report can take a minute to generate on a large account;
  # evidence reads CloudTrail at 2 requests per second per region.
  timeout = var.enable_evidence ? 900 : 300

  logging_config {
    log_group  = aws_cloudwatch_log_group.function.name
    log_format = "JSON"
  }

  environment {
    variables = {
      IAMSWEEP_MAX_UNUSED_DAYS   = tostring(var.max_unused_days)
      IAMSWEEP_ROTATION_DAYS     = tostring(var.rotation_days)
      IAMSWEEP_CONFIG_SSM        = var.config_parameter_name != "" ? "/${var.config_parameter_name}" : ""
      IAMSWEEP_EXCLUSIONS_SSM    = local.exclusions ? aws_ssm_parameter.excluded_users[0].name : ""
      IAMSWEEP_SNS_TOPIC_ARN     = aws_sns_topic.report.arn
      IAMSWEEP_SLACK_WEBHOOK_SSM = var.slack_webhook_parameter_name != "" ? "/${var.slack_webhook_parameter_name}" : ""
      IAMSWEEP_LOG_LEVEL         = var.log_level
      IAMSWEEP_EVIDENCE          = tostring(var.enable_evidence)
      IAMSWEEP_AUTO_DISABLE      = tostring(var.enable_auto_disable)
      IAMSWEEP_AUTO_DELETE       = tostring(local.auto_delete)
      IAMSWEEP_QUARANTINE_DAYS   = tostring(var.quarantine_days)
      IAMSWEEP_MAX_USERS         = tostring(var.max_users)
      IAMSWEEP_BACKUP_BUCKET     = var.backup_bucket_name
      IAMSWEEP_REPORT_BUCKET     = var.report_bucket_name != "" ? "s3://${var.report_bucket_name}/${var.report_prefix}" : ""
    }
  }

  depends_on = [aws_iam_role_policy.function]

  lifecycle {
    # A variable's validation may not read another variable before
    # Terraform 1.9; a precondition may.
    precondition {
      condition     = !var.enable_auto_delete || (var.enable_auto_disable && var.enable_evidence && var.backup_bucket_name != "")
      error_message = "enable_auto_delete needs enable_auto_disable, enable_evidence (attempts with a disabled key are only visible in CloudTrail) and backup_bucket_name."
    }
  }
}

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${var.name}-schedule"
  description         = "Run the iamsweep scan"
  schedule_expression = var.schedule_expression
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule      = aws_cloudwatch_event_rule.schedule.name
  target_id = "iamsweep"
  arn       = aws_lambda_function.iamsweep.arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowEventBridgeSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.iamsweep.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
}

resource "aws_lambda_permission" "config" {
  count          = var.enable_config_rule ? 1 : 0
  statement_id   = "AllowConfigRule"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.iamsweep.arn
  principal      = "config.amazonaws.com"
  source_account = local.account
}

resource "aws_config_config_rule" "unused_credentials" {
  count       = var.enable_config_rule ? 1 : 0
  name        = "${var.name}-iam-user-unused-credentials"
  description = "NON_COMPLIANT when an IAM user's enabled password or active access key has not been used for MaxCredentialUsageAge days; remediate with AWSConfigRemediation-RevokeUnusedIAMUserCredentials (same semantics)."
  input_parameters = jsonencode({
    MaxCredentialUsageAge = tostring(var.max_unused_days)
  })
  maximum_execution_frequency = "TwentyFour_Hours"

  source {
    owner             = "CUSTOM_LAMBDA"
    source_identifier = aws_lambda_function.iamsweep.arn
    source_detail {
      event_source                = "aws.config"
      message_type                = "ScheduledNotification"
      maximum_execution_frequency = "TwentyFour_Hours"
    }
  }

  depends_on = [aws_lambda_permission.config]
}

# Optional: AWS's managed required-tags rule on IAM users, flagging users
# created without the expiry and owner tags iamsweep's lifecycle rules read.
resource "aws_config_config_rule" "required_tags" {
  count       = var.enable_required_tags_rule ? 1 : 0
  name        = "${var.name}-iam-user-required-tags"
  description = "NON_COMPLIANT when an IAM user lacks the expiry or owner tag that iamsweep's lifecycle rules read; set them at creation or with iamsweep expire USER --on DATE --owner WHO."
  input_parameters = jsonencode({
    tag1Key = var.required_expiry_tag_key
    tag2Key = var.required_owner_tag_key
  })

  scope {
    compliance_resource_types = ["AWS::IAM::User"]
  }

  source {
    owner             = "AWS"
    source_identifier = "REQUIRED_TAGS"
  }
}
