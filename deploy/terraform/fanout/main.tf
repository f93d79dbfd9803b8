# iamsweep across an organization on Step Functions: the same resources as
# ../../org-fanout.yaml. The definition is ../../statemachine.asl.json.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  sm_name   = var.name
  sm_arn    = "arn:${local.partition}:states:${local.region}:${local.account}:stateMachine:${local.sm_name}"
  exec_arns = "arn:${local.partition}:states:${local.region}:${local.account}:execution:${local.sm_name}/*"
  runs_arn  = "${aws_s3_bucket.results.arn}/iamsweep/runs/*"
}

resource "aws_s3_bucket" "results" {
  bucket_prefix = "${var.name}-"
}

resource "aws_s3_bucket_public_access_block" "results" {
  bucket                  = aws_s3_bucket.results.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "results" {
  bucket = aws_s3_bucket.results.id
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "results" {
  bucket = aws_s3_bucket.results.id
  rule {
    id     = "expire-runs"
    status = "Enabled"
    filter { prefix = "iamsweep/runs/" }
    expiration { days = var.results_retention_days }
  }
}

resource "aws_sns_topic" "report" {
  name              = "${var.name}-report"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "function" {
  statement {
    sid       = "ReadIAMUsersAndCredentials"
    actions   = ["iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:GetAccountAuthorizationDetails"]
    resources = ["*"]
  }
  statement {
    sid       = "ReadUserCredentialDetails"
    actions   = ["iam:ListAccessKeys", "iam:GetLoginProfile", "iam:ListSSHPublicKeys", "iam:ListServiceSpecificCredentials"]
    resources = ["arn:${local.partition}:iam::${local.account}:user/*"]
  }
  statement {
    sid       = "ListTheOrganizationsAccounts"
    actions   = ["organizations:ListAccounts", "organizations:ListAccountsForParent", "organizations:ListChildren"]
    resources = ["*"]
  }
  statement {
    sid       = "EnterMemberAccountsThroughTheirRole"
    actions   = ["sts:AssumeRole"]
    resources = ["arn:${local.partition}:iam::*:role/${var.member_role_name}"]
  }
  statement {
    sid       = "KeepTheRunsResults"
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = [local.runs_arn]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }
  statement {
    sid       = "PublishReport"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.report.arn]
  }
  dynamic "statement" {
    for_each = var.enable_auto_disable ? [1] : []
    content {
      sid       = "ReadTheAccountsRetireTag"
      actions   = ["organizations:ListTagsForResource"]
      resources = ["arn:${local.partition}:organizations::*:account/o-*/*"]
    }
  }
  dynamic "statement" {
    for_each = var.enable_auto_delete ? [1] : []
    content {
      sid       = "StoreBackupsBeforeDelete"
      actions   = ["s3:PutObject"]
      resources = ["arn:${local.partition}:s3:::${var.backup_bucket_name}/iamsweep/backups/*"]
    }
  }
  dynamic "statement" {
    for_each = var.enable_securityhub ? [1] : []
    content {
      sid       = "ImportChangedAndResolveFindings"
      actions   = ["securityhub:BatchImportFindings", "securityhub:GetFindings"]
      resources = ["*"]
    }
  }
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  name_prefix        = "${var.name}-fn-"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

resource "aws_iam_role_policy" "function" {
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}

resource "aws_lambda_function" "fanout" {
  function_name = var.name
  description   = "iamsweep per account, driven by the fan-out state machine"
  runtime       = "provided.al2023"
  handler       = "bootstrap"
  architectures = [var.architecture]
  s3_bucket     = var.code_s3_bucket
  s3_key        = var.code_s3_key
  role          = aws_iam_role.function.arn
  memory_size   = 1024
  timeout       = 900
  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.function.name
  }
  environment {
    variables = {
      IAMSWEEP_ORG                              = length(var.organizational_unit_ids) == 0 ? "true" : ""
      IAMSWEEP_OUS                              = join(",", var.organizational_unit_ids)
      IAMSWEEP_EXCLUDE_ACCOUNTS                 = join(",", var.excluded_accounts)
      IAMSWEEP_ROLE_NAME                        = var.member_role_name
      IAMSWEEP_EXTERNAL_ID                      = var.external_id
      IAMSWEEP_MAX_UNUSED_DAYS                  = tostring(var.max_unused_days)
      IAMSWEEP_ROTATION_DAYS                    = tostring(var.rotation_days)
      IAMSWEEP_SNS_TOPIC_ARN                    = aws_sns_topic.report.arn
      IAMSWEEP_LOG_LEVEL                        = var.log_level
      IAMSWEEP_SECURITYHUB                      = tostring(var.enable_securityhub)
      IAMSWEEP_EVIDENCE                         = tostring(var.enable_evidence)
      IAMSWEEP_AUTO_DISABLE                     = tostring(var.enable_auto_disable)
      IAMSWEEP_AUTO_DELETE                      = tostring(var.enable_auto_delete)
      IAMSWEEP_BACKUP_BUCKET                    = var.backup_bucket_name
      IAMSWEEP_FANOUT_RESULTS                   = "s3://${aws_s3_bucket.results.bucket}/iamsweep"
      IAMSWEEP_FANOUT_MAX_CONCURRENCY           = tostring(var.max_concurrency)
      IAMSWEEP_FANOUT_TOLERATED_FAILURE_PERCENT = tostring(var.tolerated_failure_percentage)
      IAMSWEEP_RETIRE_OPT_IN                    = var.retire_opt_in
    }
  }
  lifecycle {
    precondition {
      condition     = !var.enable_auto_delete || (var.enable_auto_disable && var.enable_evidence && var.backup_bucket_name != "")
      error_message = "enable_auto_delete needs enable_auto_disable, enable_evidence and backup_bucket_name."
    }
  }
}

data "aws_iam_policy_document" "states" {
  statement {
    sid       = "InvokeTheFunction"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.fanout.arn, "${aws_lambda_function.fanout.arn}:*"]
  }
  statement {
    sid       = "ReadTheAccountList"
    actions   = ["s3:GetObject"]
    resources = [local.runs_arn]
  }
  # A Distributed Map runs each item as a child execution of this state machine.
  statement {
    sid       = "RunTheMapsChildExecutions"
    actions   = ["states:StartExecution"]
    resources = [local.sm_arn]
  }
  statement {
    sid       = "WatchAndStopTheMapsChildExecutions"
    actions   = ["states:DescribeExecution", "states:StopExecution"]
    resources = [local.exec_arns]
  }
}

data "aws_iam_policy_document" "assume_states" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "states" {
  name_prefix        = "${var.name}-sfn-"
  assume_role_policy = data.aws_iam_policy_document.assume_states.json
}

resource "aws_iam_role_policy" "states" {
  role   = aws_iam_role.states.id
  policy = data.aws_iam_policy_document.states.json
}

resource "aws_sfn_state_machine" "fanout" {
  name       = local.sm_name
  role_arn   = aws_iam_role.states.arn
  definition = templatefile("${path.module}/../../statemachine.asl.json", { FunctionArn = aws_lambda_function.fanout.arn })
}

data "aws_iam_policy_document" "assume_events" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "schedule" {
  name_prefix        = "${var.name}-ev-"
  assume_role_policy = data.aws_iam_policy_document.assume_events.json
}

data "aws_iam_policy_document" "schedule" {
  statement {
    sid       = "StartTheStateMachine"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.fanout.arn]
  }
}

resource "aws_iam_role_policy" "schedule" {
  role   = aws_iam_role.schedule.id
  policy = data.aws_iam_policy_document.schedule.json
}

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = var.name
  schedule_expression = var.schedule_expression
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule     = aws_cloudwatch_event_rule.schedule.name
  arn      = aws_sfn_state_machine.fanout.arn
  role_arn = aws_iam_role.schedule.arn
}
