/** The GitHub calls the doctor makes: GET only, the response's data, Octokit's errors. */
export interface DoctorGitHubClient {
  /** `route` is an Octokit route such as `GET /orgs/{org}/actions/runners/downloads`. */
  get(route: string, params?: Readonly<Record<string, string | number>>): Promise<unknown>;
}

/** GitHub as the App sees it: with its JWT, or with an installation's token. */
export interface DoctorGitHub {
  app(): Promise<DoctorGitHubClient>;
  installation(installationId: number): Promise<DoctorGitHubClient>;
}
