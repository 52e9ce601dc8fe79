#!/usr/bin/env bash
# Deploys one service image to one environment, through the stacks the CDK app defines
# (infra/): _deploy.yml runs it; an operator can too, with credentials for the account.
#
#   ENVIRONMENT=dev SERVICE=order IMAGE_TAG=<commit sha> MIGRATE=true deploy/aws/deploy-service.sh
#
# 1. For a PostgreSQL service (MIGRATE=true): point the one-off tasks at the new image
#    (the stack's MigrationImageTag, nothing else changes), run the database task (role,
#    database and DATABASE_URL, idempotent), then the migrations; stop on a non-zero exit.
# 2. Deploy: set the stack's ImageTag. CloudFormation waits while ECS runs the canary and
#    its bake time; an alarm rolls the deployment back, the stack update fails, and so does
#    this script, so nothing is promoted further.
#
# Every name here is one the app gives (infra/src/names.ts); infra/test/pipelines.test.ts
# checks them against the synthesized app.
set -euo pipefail

: "${ENVIRONMENT:?ENVIRONMENT (dev, staging or prod) is not set}"
: "${SERVICE:?SERVICE is not set}"
: "${IMAGE_TAG:?IMAGE_TAG is not set}"
MIGRATE=${MIGRATE:-false}

platform_stack="storekeeper-${ENVIRONMENT}"
service_stack="storekeeper-${ENVIRONMENT}-${SERVICE}"

account=$(aws sts get-caller-identity --query Account --output text)
region=${AWS_REGION:?AWS_REGION is not set}
# CloudFormation acts through the CDK bootstrap's execution role, as `cdk deploy` does.
cfn_role="arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${region}"

output() { # stack key
  aws cloudformation describe-stacks --stack-name "$1" \
    --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
}

# Update only the named parameters of the stack; every other one keeps its value.
set_parameters() { # stack key=value...
  local stack=$1 params=() key
  shift
  local wanted=" $* "
  for key in $(aws cloudformation describe-stacks --stack-name "$stack" \
    --query 'Stacks[0].Parameters[].ParameterKey' --output text); do
    if [[ $wanted == *" $key="* ]]; then
      local value=${wanted#* "$key"=}
      params+=("ParameterKey=$key,ParameterValue=${value%% *}")
    else
      params+=("ParameterKey=$key,UsePreviousValue=true")
    fi
  done
  local out
  if ! out=$(aws cloudformation update-stack --stack-name "$stack" --use-previous-template \
    --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM --role-arn "$cfn_role" \
    --parameters "${params[@]}" 2>&1); then
    if [[ $out == *"No updates are to be performed"* ]]; then
      echo "$stack: already at $*"
      return 0
    fi
    echo "$out" >&2
    return 1
  fi
  echo "$stack: updating ($*), waiting for CloudFormation (and the canary)"
  aws cloudformation wait stack-update-complete --stack-name "$stack"
}

run_one_off() { # family
  local family=$1 network task code
  network=$(aws ecs describe-services --cluster "$cluster" --services "$SERVICE" \
    --query 'services[0].networkConfiguration' --output json)
  task=$(aws ecs run-task --cluster "$cluster" --task-definition "$family" \
    --launch-type FARGATE --network-configuration "$network" --started-by "github-${SERVICE}" \
    --query 'tasks[0].taskArn' --output text)
  echo "$family: running $task"
  aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task"
  code=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" \
    --query "tasks[0].containers[?name=='${SERVICE}'].exitCode | [0]" --output text)
  if [[ $code != 0 ]]; then
    echo "$family exited with $code: see the log group /storekeeper/${ENVIRONMENT}/${SERVICE}" >&2
    return 1
  fi
}

cluster=$(output "$platform_stack" ClusterName)

if [[ $MIGRATE == true ]]; then
  set_parameters "$service_stack" "MigrationImageTag=$IMAGE_TAG"
  run_one_off "$(output "$service_stack" DatabaseTaskFamily)"
  run_one_off "$(output "$service_stack" MigrateTaskFamily)"
fi

set_parameters "$service_stack" "ImageTag=$IMAGE_TAG"
echo "$(output "$service_stack" ServiceName) in $cluster runs $IMAGE_TAG"
