"""AWS: STS AssumeRole (``sts``, with ``iam`` and ``sigv4``), SQS queues for notifications (``sqs``,
``queues``) and the S3-style document storage behind presigned URLs (``storage``)."""
