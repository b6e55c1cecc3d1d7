#!/bin/sh
# Aggregator: pretends to combine the analyzer's output.
echo "aggregator: job $AWS_BATCH_JOB_ID combining results for ${1:-today}"
