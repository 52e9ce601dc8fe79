import { Aws, aws_iam as iam } from 'aws-cdk-lib';

/** GitHub's OIDC issuer, as IAM names it. */
export const githubOidcHost = 'token.actions.githubusercontent.com';

/** The account's GitHub OIDC provider (created once, by the delivery stack). */
export function githubOidcProviderArn(): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:oidc-provider/${githubOidcHost}`;
}

/**
 * A principal for GitHub Actions runs of one repository whose token's subject matches:
 * `ref:refs/heads/main` for pushes to main, `environment:prod` for jobs of that GitHub
 * environment. Nothing else (no other repository, branch, fork or pull request) can assume it.
 */
export function githubPrincipal(repository: string, subject: string): iam.IPrincipal {
  return new iam.WebIdentityPrincipal(githubOidcProviderArn(), {
    StringEquals: {
      [`${githubOidcHost}:aud`]: 'sts.amazonaws.com',
      [`${githubOidcHost}:sub`]: `repo:${repository}:${subject}`,
    },
  });
}

export function checkRepository(repository: string): string {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
    throw new Error(
      `github repository "${repository}" is not owner/name: set the context value storekeeper:githubRepository`,
    );
  }
  return repository;
}
