#!/bin/sh
# Analyzer: pretends to scan the day's input and writes a summary.
echo "analyzer: job $AWS_BATCH_JOB_ID attempt $AWS_BATCH_JOB_ATTEMPT for ${1:-today}"
echo "analyzer: found 3 input files"
