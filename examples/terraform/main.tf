# A real-time SageMaker endpoint for a chat model on ml.g5.2xlarge, scaled by Application Auto
# Scaling on invocations per instance.
#
# The mistake: the scaling policy scales in 60 s after the last scale-in (scale_in_cooldown).
# A new GPU instance takes minutes to start and load the model; with a one-minute cooldown a
# short lull removes instances that the next burst of traffic needs back at once, and those
# requests wait or time out while the fleet grows again. Keep scale_in_cooldown at 300 s (the
# default for SageMaker) or longer: `gpulint --fix` sets it to 300 in place.
#
# The policy names its target by reference (aws_appautoscaling_target.chat.resource_id), and the
# target names the endpoint ("endpoint/${aws_sagemaker_endpoint.chat.name}/variant/AllTraffic"):
# gpulint follows both within the module, as Terraform does.

resource "aws_sagemaker_model" "chat" {
  name               = "tf-chat-model"
  execution_role_arn = var.execution_role_arn

  primary_container {
    image          = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
    model_data_url = "s3://example-models/chat/model.tar.gz"
    environment = {
      HF_MODEL_ID = "/opt/ml/model"
    }
  }
}

resource "aws_sagemaker_endpoint_configuration" "chat" {
  name = "tf-chat-config"

  production_variants {
    variant_name           = "AllTraffic"
    model_name             = aws_sagemaker_model.chat.name
    instance_type          = "ml.g5.2xlarge"
    initial_instance_count = 1
  }
}

resource "aws_sagemaker_endpoint" "chat" {
  name                 = "tf-chat"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.chat.name
}

resource "aws_appautoscaling_target" "chat" {
  service_namespace  = "sagemaker"
  resource_id        = "endpoint/${aws_sagemaker_endpoint.chat.name}/variant/AllTraffic"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = 1
  max_capacity       = var.max_instances
}

resource "aws_appautoscaling_policy" "chat" {
  name               = "tf-chat-invocations"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.chat.service_namespace
  resource_id        = aws_appautoscaling_target.chat.resource_id
  scalable_dimension = aws_appautoscaling_target.chat.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 4
    scale_in_cooldown  = 60 # too short for GPU instances: use 300 or more
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"
    }
  }
}
