/** What a `kafka://` URL says; an object so that later URL parameters (TLS, SASL) fit in. */
export interface KafkaUrl {
  /** Bootstrap brokers as `host:port`, in the order given. */
  readonly brokers: string[];
}

/**
 * Parses the `--stream` URL form of a Kafka cluster: `kafka://host:port[,host:port...]`.
 * The port defaults to 9092. Hosts are names or IPv4 addresses (kafkajs splits `host:port` at
 * the colon, so IPv6 literals are refused rather than mangled later).
 */
export function parseKafkaUrl(url: string): KafkaUrl {
  const m = /^kafka:\/\/([^/?#]*)\/?$/i.exec(url.trim());
  if (!m) throw new Error(`not a Kafka URL (expected kafka://host:port[,host:port]): ${url}`);
  const list = m[1]!;
  if (list === '') throw new Error(`Kafka URL names no broker: ${url}`);
  const brokers = list.split(',').map((part) => {
    const hp = part.trim();
    const found = /^([A-Za-z0-9._-]+)(?::(\d+))?$/.exec(hp);
    if (!found) throw new Error(`bad broker address "${hp}" in Kafka URL: ${url}`);
    const port = found[2] === undefined ? 9092 : Number(found[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`bad port in broker address "${hp}" in Kafka URL: ${url}`);
    }
    return `${found[1]}:${port}`;
  });
  return { brokers };
}
