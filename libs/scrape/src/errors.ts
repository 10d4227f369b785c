/** A `scrape_configs` problem, naming where it is (job, key) and what was expected. */
export class ScrapeConfigError extends Error {
  override readonly name = 'ScrapeConfigError';
}
