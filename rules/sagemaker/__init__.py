"""SageMaker rules: payload limits, batch transform, managed spot training,
heterogeneous instance pools, and instance quotas."""

SM_HETERO_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-heterogeneous.html"
SM_SPOT_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/model-managed-spot-training.html"
