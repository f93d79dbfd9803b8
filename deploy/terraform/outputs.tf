output "function_arn" {
  description = "The iamsweep function"
  value       = aws_lambda_function.iamsweep.arn
}

output "report_topic_arn" {
  description = "SNS topic receiving the reports"
  value       = aws_sns_topic.report.arn
}

output "role_arn" {
  description = "The function's role"
  value       = aws_iam_role.function.arn
}

output "config_rule_name" {
  description = "The AWS Config rule, if enabled"
  value       = var.enable_config_rule ? aws_config_config_rule.unused_credentials[0].name : null
}

output "required_tags_rule_name" {
  description = "The AWS Config required-tags rule on IAM users, if enabled"
  value       = var.enable_required_tags_rule ? aws_config_config_rule.required_tags[0].name : null
}
