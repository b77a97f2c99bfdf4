package fr.socle.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code socle audit show}: the entries of an export written for a person, in French or English,
 * filtered. It reads, it does not verify: the first line says so, and {@code socle audit verify} is
 * what tells whether the entries can be trusted.
 */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Print the entries of an audit export for a person, in French or English.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:entries printed (possibly none)", "1:the file is unreadable", "2:invalid usage"})
final class AuditShowCommand implements Callable<Integer> {

  /** Label sets; the keys are the same in both. */
  private static final Map<String, Map<String, String>> TEXT = Map.of(
      "fr", Map.ofEntries(
          Map.entry("header", "Journal d'audit, entrées [%d, %d) (lu, non vérifié : voir « socle audit verify »)"),
          Map.entry("shown", "%d entrée(s) affichée(s) sur %d"),
          Map.entry("DECISION", "Décision de politique"), Map.entry("OPA_DECISION", "Décision selon le journal d'OPA"),
          Map.entry("NEGOTIATION", "Négociation"), Map.entry("TRANSFER", "Transfert"),
          Map.entry("AGREEMENT", "Accord de contrat"), Map.entry("DATA_ACCESS", "Accès aux données"),
          Map.entry("DATA_RECEIVED", "Données reçues"), Map.entry("received", "octets reçus"),
          Map.entry("agreement", "accord"),
          Map.entry("ADMIN", "Modification par l'opérateur"), Map.entry("BUNDLE", "Paquet de politiques conservé"),
          Map.entry("allowed", "autorisée"), Map.entry("denied", "refusée"),
          Map.entry("catalog", "catalogue"), Map.entry("negotiation", "négociation"),
          Map.entry("transfer", "transfert"), Map.entry("access", "accès"),
          Map.entry("participant", "participant"), Map.entry("asset", "jeu de données"),
          Map.entry("reasons", "motifs"), Map.entry("rules", "règles"), Map.entry("decision", "décision OPA"),
          Map.entry("provider", "fournisseur"), Map.entry("consumer", "consommateur"),
          Map.entry("bytes", "octets servis"), Map.entry("complete", "complet"), Map.entry("partial", "interrompu"),
          Map.entry("revision", "révision"), Map.entry("by", "par"), Map.entry(":", " : "), Map.entry("none", "aucune")),
      "en", Map.ofEntries(
          Map.entry("header", "Audit log, entries [%d, %d) (read, not verified: see 'socle audit verify')"),
          Map.entry("shown", "%d of %d entries shown"),
          Map.entry("DECISION", "Policy decision"), Map.entry("OPA_DECISION", "Decision as in OPA's log"),
          Map.entry("NEGOTIATION", "Negotiation"), Map.entry("TRANSFER", "Transfer"),
          Map.entry("AGREEMENT", "Contract agreement"), Map.entry("DATA_ACCESS", "Data access"),
          Map.entry("DATA_RECEIVED", "Data received"), Map.entry("received", "bytes received"),
          Map.entry("agreement", "agreement"),
          Map.entry("ADMIN", "Operator change"), Map.entry("BUNDLE", "Policy bundle kept"),
          Map.entry("allowed", "allowed"), Map.entry("denied", "denied"),
          Map.entry("catalog", "catalog"), Map.entry("negotiation", "negotiation"),
          Map.entry("transfer", "transfer"), Map.entry("access", "access"),
          Map.entry("participant", "participant"), Map.entry("asset", "dataset"),
          Map.entry("reasons", "reasons"), Map.entry("rules", "rules"), Map.entry("decision", "OPA decision"),
          Map.entry("provider", "provider"), Map.entry("consumer", "consumer"),
          Map.entry("bytes", "bytes served"), Map.entry("complete", "complete"), Map.entry("partial", "interrupted"),
          Map.entry("revision", "revision"), Map.entry("by", "by"), Map.entry(":", ": "), Map.entry("none", "none")));

  @Spec
  CommandSpec spec;

  @Option(names = "--export", required = true, paramLabel = "FILE", description = "Audit export (JSON Lines).")
  Path export;

  @Option(names = "--lang", defaultValue = "fr", paramLabel = "fr|en", description = "Language (default: ${DEFAULT-VALUE}).")
  String lang;

  @Option(names = "--type", paramLabel = "TYPE", split = ",",
      description = "Only these entry types (DECISION, NEGOTIATION, TRANSFER, AGREEMENT, DATA_ACCESS, DATA_RECEIVED, ADMIN, OPA_DECISION, BUNDLE).")
  List<String> types = new ArrayList<>();

  @Option(names = "--participant", paramLabel = "ID", description = "Only entries about this participant.")
  String participant;

  @Option(names = "--asset", paramLabel = "ID", description = "Only entries about this dataset.")
  String asset;

  @Option(names = "--subject", paramLabel = "TEXT", description = "Only entries whose subject contains TEXT.")
  String subject;

  @Option(names = "--allow", arity = "1", paramLabel = "true|false", description = "Only decisions with this result.")
  Boolean allow;

  @Option(names = "--since", paramLabel = "TIME", description = "Only entries at or after this RFC 3339 UTC time.")
  String since;

  @Option(names = "--until", paramLabel = "TIME", description = "Only entries before this RFC 3339 UTC time.")
  String until;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> t = TEXT.get(lang.toLowerCase(Locale.ROOT));
    if (t == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--lang: '" + lang + "', want fr or en");
    }
    try {
      JsonObject doc = AuditCommand.readExport("export", export);
      JsonArray entries = doc.getJsonArray("entries", new JsonArray());
      out.println(String.format(t.get("header"), doc.getLong("from", 0L), doc.getLong("to", 0L)));
      int shown = 0;
      for (Object o : entries) {
        if (o instanceof JsonObject entry && entry.getValue("payload") instanceof JsonObject && matches(entry)) {
          render(out, t, entry);
          shown++;
        }
      }
      out.println(String.format(t.get("shown"), shown, entries.size()));
      out.flush();
      return 0;
    } catch (AuditCommand.UnreadableInput e) {
      out.println("FAIL " + e.getMessage());
      out.flush();
      return 1;
    }
  }

  private boolean matches(JsonObject entry) {
    JsonObject p = entry.getJsonObject("payload");
    String time = entry.getString("time", "");
    return (types.isEmpty() || types.stream().anyMatch(type -> type.equalsIgnoreCase(entry.getString("type"))))
        && (participant == null || participant.equals(p.getValue("participant"))
            || participant.equals(p.getValue("consumerId")) || participant.equals(p.getValue("providerId"))
            || participant.equals(p.getValue("counterPartyId")))
        && (asset == null || asset.equals(p.getValue("asset")) || asset.equals(p.getValue("assetId")))
        && (subject == null || entry.getString("subject", "").contains(subject))
        && (allow == null || allow.equals(p.getValue("allow")))
        && (since == null || time.compareTo(since) >= 0)
        && (until == null || time.compareTo(until) < 0);
  }

  private static String or(Map<String, String> t, Object value) {
    return value == null ? t.get("none") : String.valueOf(value);
  }

  private void render(PrintWriter out, Map<String, String> t, JsonObject entry) {
    JsonObject p = entry.getJsonObject("payload");
    String type = entry.getString("type", "?");
    String time = entry.getString("time", "").replace('T', ' ').replace("Z", " UTC");
    StringBuilder title = new StringBuilder("#" + entry.getValue("seq") + " · " + time + " · "
        + t.getOrDefault(type, type));
    List<String> details = new ArrayList<>();
    switch (type) {
      case "DECISION", "OPA_DECISION" -> {
        String scope = p.getString("scope", "");
        title.append(" (").append(t.getOrDefault(scope, scope)).append(")").append(t.get(":"))
            .append(t.get(Boolean.TRUE.equals(p.getValue("allow")) ? "allowed" : "denied"));
        details.add(t.get("participant") + " " + p.getValue("participant") + ", " + t.get("asset") + " "
            + p.getValue("asset"));
        if (p.getValue("reasons") instanceof JsonArray reasons && !reasons.isEmpty()) {
          List<String> texts = new ArrayList<>();
          reasons.forEach(r -> texts.add(r instanceof JsonObject o ? o.getString(lang.toLowerCase(Locale.ROOT),
              o.getString("code")) : String.valueOf(r)));
          details.add(t.get("reasons") + t.get(":") + String.join(" ; ", texts));
        } else if (p.getValue("reasonCodes") instanceof JsonArray codes && !codes.isEmpty()) {
          details.add(t.get("reasons") + t.get(":") + codes.stream().map(String::valueOf).toList());
        }
        details.add(t.get("rules") + " " + or(t, p.getValue("bundleRevision")) + ", " + t.get("decision") + " "
            + or(t, p.getValue("decisionId")));
      }
      case "NEGOTIATION", "TRANSFER" -> {
        title.append(" ").append(entry.getString("subject")).append(t.get(":")).append(p.getValue("change"));
        if (p.getValue("counterPartyId") != null) {
          details.add(t.get("participant") + " " + p.getValue("counterPartyId"));
        }
        if (p.getValue("detail") != null) {
          details.add(String.valueOf(p.getValue("detail")));
        }
      }
      case "AGREEMENT" -> {
        title.append(" ").append(entry.getString("subject"));
        details.add(t.get("provider") + " " + p.getValue("providerId") + ", " + t.get("consumer") + " "
            + p.getValue("consumerId") + ", " + t.get("asset") + " " + p.getValue("assetId"));
      }
      case "DATA_ACCESS" -> {
        title.append(t.get(":")).append(p.getValue("bytes")).append(" ").append(t.get("bytes")).append(" (")
            .append(t.get(Boolean.TRUE.equals(p.getValue("complete")) ? "complete" : "partial")).append(")");
        details.add(t.get("participant") + " " + p.getValue("participant") + ", " + t.get("asset") + " "
            + p.getValue("asset") + ", " + t.get("transfer") + " " + p.getValue("transfer"));
      }
      case "DATA_RECEIVED" -> {
        title.append(t.get(":")).append(p.getValue("bytes") == null ? "?" : p.getValue("bytes")).append(" ")
            .append(t.get("received")).append(", ").append(p.getValue("mode")).append(" (")
            .append(t.get(Boolean.TRUE.equals(p.getValue("complete")) ? "complete" : "partial")).append(")");
        details.add(t.get("provider") + " " + p.getValue("provider") + ", " + t.get("agreement") + " "
            + p.getValue("agreement") + ", " + t.get("transfer") + " " + p.getValue("transfer")
            + (p.getValue("sha256") == null ? "" : ", sha256 " + p.getValue("sha256")));
      }
      case "ADMIN" -> title.append(t.get(":")).append(p.getValue("action")).append(" ").append(entry.getString("subject"))
          .append(" (").append(t.get("by")).append(" ").append(p.getValue("by")).append(")");
      case "BUNDLE" -> title.append(t.get(":")).append(t.get("revision")).append(" ").append(p.getValue("revision"))
          .append(", sha256 ").append(p.getValue("sha256"));
      default -> title.append(" ").append(entry.getString("subject"));
    }
    out.println(title);
    details.forEach(d -> out.println("    " + d));
  }
}
