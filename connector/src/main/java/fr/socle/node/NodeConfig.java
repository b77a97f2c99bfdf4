package fr.socle.node;

import fr.socle.dataplane.SqlDatabase;
import fr.socle.policy.PolicyEngine;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A node's configuration, validated once at start-up with every default filled in one place. A bad
 * configuration stops the node with a message naming the key, the value and what was expected.
 * Relative paths are resolved against the configuration file's directory.
 */
public record NodeConfig(String name, Path dataDir, Dsp dsp, Management management, Trust trust, Opa opa,
    Database database, DataPlane dataPlane, Limits limits, Audit audit, Path policyTemplatesDir) {

  /**
   * The DSP endpoint partners call ({@code dsp.host}, {@code dsp.port}, {@code dsp.publicUrl} when a
   * proxy fronts it), and how long this node waits for theirs ({@code limits.dspTimeoutMillis}).
   */
  public record Dsp(String host, int port, String publicUrl, long timeoutMillis) {

    /** The node's own DSP address as partners must call it. */
    public String address(int actualPort) {
      return publicUrl != null ? publicUrl : "https://localhost:" + actualPort;
    }
  }

  /**
   * The management API: where it listens, the operator's and the auditor's keys ({@code management.*}),
   * and how long and how many Idempotency-Keys it remembers ({@code management.idempotencyKeySeconds},
   * {@code limits.maxIdempotencyKeys}).
   */
  public record Management(String host, int port, String apiKey, String auditorKey, long idempotencyKeySeconds,
      int maxIdempotencyKeys) {
  }

  /**
   * Who this node is and whom it trusts: its certificate and the federation's ({@code tls.nodeDir},
   * {@code tls.federationDir}), how soon it sees a new CRL ({@code tls.crlReloadMillis}), and the
   * federation's directory of members ({@code federation.directory}, or null).
   */
  public record Trust(Path nodeDir, Path federationDir, Path directory, long crlReloadMillis) {
  }

  /**
   * The OPA sidecar that makes the policy decisions ({@code opa.*}): where it is, how long a decision
   * may take, the bundle revision it must run, how many decisions one request asks at once, and what
   * the audit trail takes from it.
   */
  public record Opa(URI url, long timeoutMillis, String expectedRevision, int maxDecisionsInFlight, OpaAudit audit) {
  }

  /**
   * What the audit trail takes from the node's OPA: its decision-log uploads, received on
   * 127.0.0.1:{@code decisionLogPort} with {@code decisionLogToken} ({@code opa.decisionLogs.port},
   * {@code opa.decisionLogs.tokenFile}; port -1 when not configured), and the signed bundle it runs
   * ({@code opa.bundleFile}, or null), kept by revision in the data directory.
   */
  public record OpaAudit(int decisionLogPort, String decisionLogToken, Path bundleFile) {
    /** Nothing configured: no receiver, no bundle kept. */
    public static final OpaAudit NONE = new OpaAudit(-1, null, null);
  }

  /** The node's own database ({@code database.*}): the embedded SQLite one unless a URL is given. */
  public record Database(String url, String user, String password) {
  }

  /**
   * Moving the bytes: the SQL databases sources may read ({@code databases}) and how long a source may
   * take, downloads one partner may run at once, the largest push received, the disk all received
   * bodies may take, a push's timeout and an access token's lifetime ({@code limits.*}).
   */
  public record DataPlane(Map<String, SqlDatabase> databases, long sourceTimeoutMillis,
      int maxDownloadsPerParticipant, long maxReceivedBytes, long maxReceivedDiskBytes, long pushTimeoutMillis,
      long accessTokenSeconds) {
  }

  /**
   * What one caller may ask of this node: the largest request body either API reads, the unfinished
   * transfers and negotiations one partner may keep open, the DSP requests one partner may have in
   * progress at once, and the connections the DSP server holds and how long an idle one stays open
   * ({@code limits.*}).
   */
  public record Limits(long maxBodyBytes, int maxOpenTransfersPerParticipant, int maxOpenNegotiationsPerParticipant,
      int maxDspRequestsPerParticipant, int maxDspConnections, int dspIdleTimeoutSeconds) {
  }

  /** How often the audit log signs its tree head: every so many entries or milliseconds ({@code audit.*}). */
  public record Audit(long headEveryEntries, long headEveryMillis) {
  }

  /** The embedded database's file in the data directory. */
  public static final String EMBEDDED_DATABASE = "socle.db";

  /** The default of {@code limits.maxReceivedBytes}; that of {@code limits.maxReceivedDiskBytes} follows it. */
  private static final long MAX_RECEIVED_BYTES = 10L << 30;

  /** Reads and validates {@code file}. */
  public static NodeConfig load(Path file) {
    JsonObject json;
    try {
      json = new JsonObject(Files.readString(file));
    } catch (NoSuchFileException e) {
      // The usual mistake with a container: the configuration's volume was not mounted.
      throw new ConfigException("the configuration file " + file.toAbsolutePath() + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read the configuration file " + file + ": " + e.getMessage());
    } catch (DecodeException e) {
      throw new ConfigException("the configuration file " + file + " is not valid JSON: " + e.getMessage());
    }
    return from(json, file.toAbsolutePath().getParent());
  }

  static NodeConfig from(JsonObject json, Path base) {
    Reader r = new Reader(json, base);
    Path dataDir = r.path("dataDir", true);
    String apiKey = r.string("management.apiKey", null);
    Path apiKeyFile = r.path("management.apiKeyFile", false);
    if (apiKey == null && apiKeyFile != null) {
      try {
        apiKey = Files.readString(apiKeyFile).trim();
      } catch (IOException e) {
        throw new ConfigException("management.apiKeyFile: cannot read " + apiKeyFile + ": " + e.getMessage());
      }
    }
    if (apiKey == null || apiKey.length() < 16) {
      throw new ConfigException("management.apiKey (or management.apiKeyFile) must hold a key of at least 16 "
          + "characters, got " + (apiKey == null ? "none" : apiKey.length() + " characters"));
    }
    String opa = r.string("opa.url", "http://127.0.0.1:8181");
    URI opaUrl;
    try {
      opaUrl = URI.create(opa);
      if (!"http".equals(opaUrl.getScheme()) && !"https".equals(opaUrl.getScheme())) {
        throw new IllegalArgumentException("scheme must be http or https");
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException("opa.url must be an http(s) URL, got '" + opa + "': " + e.getMessage());
    }
    String expectedRevision = expectedRevision(r);
    String dbUrl = durable(r.string("database.url", defaultDatabaseUrl(dataDir)));
    return new NodeConfig(
        r.string("name", "socle-node"),
        dataDir,
        new Dsp(r.string("dsp.host", "127.0.0.1"), r.port("dsp.port", 8443), r.string("dsp.publicUrl", null),
            r.positive("limits.dspTimeoutMillis", 10_000)),
        new Management(r.string("management.host", "127.0.0.1"), r.port("management.port", 8080), apiKey,
            auditorKey(r, apiKey),
            // How long a client may retry a creation with the same Idempotency-Key and get its first answer.
            r.positive("management.idempotencyKeySeconds", 86_400),
            // Each key keeps its response (a resource's JSON, under limits.maxBodyBytes): bounded at once.
            (int) r.positive("limits.maxIdempotencyKeys", 50_000)),
        new Trust(r.existingDirectory("tls.nodeDir"), r.existingDirectory("tls.federationDir"),
            r.optionalExistingFile("federation.directory"),
            // A revocation reaches running nodes within this delay of the CRL being published.
            r.positive("tls.crlReloadMillis", 5_000)),
        new Opa(opaUrl, r.positive("opa.timeoutMillis", 2_000), expectedRevision,
            // Decisions one catalog request asks OPA at once: enough to keep OPA's few connections busy,
            // few enough that many requests together stay within the client's wait queue.
            maxDecisionsInFlight(r), opaAudit(r)),
        new Database(dbUrl, r.string("database.user", null), r.string("database.password", null)),
        new DataPlane(databases(json), r.positive("limits.sourceTimeoutMillis", 30_000),
            (int) r.positive("limits.maxDownloadsPerParticipant", 4),
            // The largest push this node accepts as a consumer; beyond it the body is refused (413) as it arrives.
            r.positive("limits.maxReceivedBytes", MAX_RECEIVED_BYTES),
            // The disk received bodies may take, kept and in progress together; beyond it a push is refused (507).
            maxReceivedDiskBytes(r),
            // A push's connect timeout, and the longest either end of it may stay silent.
            r.positive("limits.pushTimeoutMillis", 30_000),
            // Short: a leaked access token is worth little for long; the consumer refreshes it as needed.
            r.positive("limits.accessTokenSeconds", 300)),
        new Limits(r.positive("limits.maxBodyBytes", 1_048_576),
            (int) r.positive("limits.maxOpenTransfersPerParticipant", 100),
            (int) r.positive("limits.maxOpenNegotiationsPerParticipant", 100),
            // With 8 decisions in flight per catalog request, 16 requests keep one member to an eighth of
            // the policy engine's waiting queue.
            (int) r.positive("limits.maxDspRequestsPerParticipant", 16),
            (int) r.positive("limits.maxDspConnections", 512),
            (int) r.positive("limits.dspIdleTimeoutSeconds", 120)),
        new Audit(r.positive("audit.signHeadEveryEntries", 1_000), r.positive("audit.signHeadEveryMillis", 60_000)),
        r.raw("policy.templatesDir") == null ? null : r.existingDirectory("policy.templatesDir"));
  }

  /**
   * The disk the bodies this node receives may take, kept files and uploads in progress together
   * (beyond it a push is refused, 507): by default 50 GiB, or {@code limits.maxReceivedBytes} when larger.
   * Less than {@code limits.maxReceivedBytes} would refuse pushes that bound allows, so it is a mistake.
   */
  private static long maxReceivedDiskBytes(Reader r) {
    long maxReceived = r.positive("limits.maxReceivedBytes", MAX_RECEIVED_BYTES);
    long value = r.positive("limits.maxReceivedDiskBytes", Math.max(50L << 30, maxReceived));
    if (value < maxReceived) {
      throw new ConfigException("limits.maxReceivedDiskBytes must be at least limits.maxReceivedBytes (" + maxReceived
          + "), the largest push this node accepts, got " + value);
    }
    return value;
  }

  private static int maxDecisionsInFlight(Reader r) {
    long value = r.positive("opa.maxDecisionsInFlight", PolicyEngine.CONNECTIONS);
    if (value > PolicyEngine.MAX_WAITING) {
      throw new ConfigException("opa.maxDecisionsInFlight must be at most " + PolicyEngine.MAX_WAITING
          + " (the OPA client's wait queue), got " + value);
    }
    return (int) value;
  }

  private static OpaAudit opaAudit(Reader r) {
    int port = r.port("opa.decisionLogs.port", -1);
    Path tokenFile = r.path("opa.decisionLogs.tokenFile", false);
    if ((port < 0) != (tokenFile == null)) {
      throw new ConfigException("opa.decisionLogs needs both port and tokenFile (the token OPA sends as "
          + "credentials.bearer), got " + (port < 0 ? "no port" : "no tokenFile"));
    }
    String token = null;
    if (tokenFile != null) {
      try {
        token = Files.readString(tokenFile).strip();
      } catch (IOException e) {
        throw new ConfigException("opa.decisionLogs.tokenFile: cannot read " + tokenFile + ": " + e.getMessage());
      }
      if (token.length() < 16) {
        throw new ConfigException("opa.decisionLogs.tokenFile " + tokenFile + " must hold a token of at least 16 "
            + "characters, got " + token.length());
      }
    }
    Path bundle = r.raw("opa.bundleFile") == null ? null : r.existingFile("opa.bundleFile");
    return new OpaAudit(port, token, bundle);
  }

  /**
   * The policy bundle revision the node's OPA must run: given inline, or read from the revision file
   * the bundle build writes beside the bundle. Required: a node that does not know which rules it
   * should apply cannot tell a stale or substituted bundle from the right one.
   */
  private static String expectedRevision(Reader r) {
    String inline = r.string("opa.expectedRevision", null);
    Path file = r.path("opa.expectedRevisionFile", false);
    if (inline != null && file != null) {
      throw new ConfigException("give opa.expectedRevision or opa.expectedRevisionFile, not both");
    }
    if (inline == null && file == null) {
      throw new ConfigException("opa.expectedRevision (or opa.expectedRevisionFile) is required: the revision of the "
          + "signed policy bundle this node's OPA runs, as launchers/build-policy-bundle.sh writes it to "
          + "socle-policies.revision");
    }
    String revision = inline;
    if (file != null) {
      try {
        revision = Files.readString(file).strip();
      } catch (IOException e) {
        throw new ConfigException("opa.expectedRevisionFile: cannot read " + file + ": " + e.getMessage());
      }
    }
    if (!revision.matches("[A-Za-z0-9._:@+-]{1,200}")) {
      throw new ConfigException((inline != null ? "opa.expectedRevision" : "opa.expectedRevisionFile " + file)
          + " must hold one revision of letters, digits and ._:@+- (at most 200), got '" + revision + "'");
    }
    return revision;
  }

  /** The auditor's own key; it must differ from the operator's so that the two roles stay apart. */
  private static String auditorKey(Reader r, String apiKey) {
    String key = r.string("management.auditorKey", null);
    if (key != null && (key.length() < 16 || key.equals(apiKey))) {
      throw new ConfigException("management.auditorKey must hold at least 16 characters and differ from "
          + "management.apiKey");
    }
    return key;
  }

  /** {@code databases: {name: {url, user, password}}}: where SQL sources may read. */
  private static Map<String, SqlDatabase> databases(JsonObject json) {
    Object raw = json.getValue("databases");
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof JsonObject all)) {
      throw new ConfigException("databases must be an object of named databases, got " + raw);
    }
    Map<String, SqlDatabase> result = new HashMap<>();
    for (String name : all.fieldNames()) {
      if (!(all.getValue(name) instanceof JsonObject db) || !(db.getValue("url") instanceof String url)
          || !url.startsWith("jdbc:")) {
        throw new ConfigException("databases." + name + " must be an object with a jdbc: url, got "
            + all.getValue(name));
      }
      result.put(name, new SqlDatabase(url, db.getString("user"), db.getString("password")));
    }
    return Map.copyOf(result);
  }

  /**
   * Creates the data directory if needed and checks that this process may write there. Called before
   * anything else writes to it (Vert.x puts its file cache under the temporary directory, which the
   * container image points at the data volume), so that a volume owned by another user than the
   * node's, the usual mistake with a container, is reported as such.
   */
  public void prepareDataDir() {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new ConfigException("dataDir " + dataDir + " cannot be created: " + e.getMessage());
    }
    if (!Files.isWritable(dataDir)) {
      throw new ConfigException("dataDir " + dataDir + " is not writable by the node's user (uid " + uid() + ")");
    }
  }

  /** The process's user id, for messages about file permissions; "unknown" off Linux. */
  private static String uid() {
    try {
      return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "unknown";
    }
  }

  /** The embedded database in the data directory (see {@code store.Database} for why SQLite). */
  public static String defaultDatabaseUrl(Path dataDir) {
    return "jdbc:sqlite:" + dataDir.resolve(EMBEDDED_DATABASE).toAbsolutePath();
  }

  /**
   * Refuses an H2 database: a file one came back from a SIGKILL under concurrent writes without
   * commits it had acknowledged, WRITE_DELAY=0 or not, and an in-memory one keeps nothing. A data directory that still holds one is
   * imported into the embedded default at start ({@code store.H2Import}).
   */
  static String durable(String url) {
    String lower = url.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("jdbc:h2:")) {
      throw new ConfigException("database.url names an H2 database (" + url + "): H2 can lose commits it has "
          + "acknowledged when the node is killed; remove database.url to use the embedded SQLite database "
          + "(an H2 database in the data directory is imported at start), or give a PostgreSQL URL");
    }
    return url;
  }

  /** A configuration error, reported in one line to the operator. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message, null, false, false);
    }
  }

  /** Typed access to dotted keys, with messages that name the key. */
  private record Reader(JsonObject json, Path base) {

    Object raw(String key) {
      Object current = json;
      for (String part : key.split("\\.")) {
        if (!(current instanceof JsonObject o)) {
          return null;
        }
        current = o.getValue(part);
      }
      return current;
    }

    String string(String key, String fallback) {
      Object value = raw(key);
      if (value == null) {
        return fallback;
      }
      if (!(value instanceof String s) || s.isBlank()) {
        throw new ConfigException(key + " must be a non-empty string, got " + value);
      }
      return s;
    }

    int port(String key, int fallback) {
      Object value = raw(key);
      if (value == null) {
        return fallback;
      }
      if (!(value instanceof Integer i) || i < 0 || i > 65535) {
        throw new ConfigException(key + " must be a port number between 0 and 65535, got " + value);
      }
      return i;
    }

    long positive(String key, long fallback) {
      Object value = raw(key);
      if (value == null) {
        return fallback;
      }
      if (!(value instanceof Number n) || n.longValue() <= 0) {
        throw new ConfigException(key + " must be a positive number, got " + value);
      }
      return n.longValue();
    }

    Path path(String key, boolean required) {
      String value = string(key, null);
      if (value == null) {
        if (required) {
          throw new ConfigException(key + " is required");
        }
        return null;
      }
      return base.resolve(value).normalize().toAbsolutePath();
    }

    Path existingFile(String key) {
      Path p = path(key, true);
      if (!Files.isReadable(p)) {
        throw new ConfigException(key + ": file " + p + " does not exist or cannot be read");
      }
      return p;
    }

    Path existingDirectory(String key) {
      Path p = path(key, true);
      if (!Files.isDirectory(p)) {
        throw new ConfigException(key + ": directory " + p + " does not exist");
      }
      return p;
    }

    Path optionalExistingFile(String key) {
      return raw(key) == null ? null : existingFile(key);
    }
  }
}
