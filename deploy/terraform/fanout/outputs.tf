output "state_machine_arn" { value = aws_sfn_state_machine.fanout.arn }
output "function_name" { value = aws_lambda_function.fanout.function_name }
output "results_bucket" { value = aws_s3_bucket.results.bucket }
output "report_topic_arn" { value = aws_sns_topic.report.arn }
