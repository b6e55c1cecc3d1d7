#!/bin/sh
# Deployer: pretends to publish the aggregate.
echo "deployer: job $AWS_BATCH_JOB_ID published ${1:-today}"
