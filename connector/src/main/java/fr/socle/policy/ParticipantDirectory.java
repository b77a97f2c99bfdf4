package fr.socle.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the federation publishes about its members (name, territory codes, hosting qualifications),
 * keyed by participant id. Policies read these attributes; a participant never asserts them itself.
 *
 * <p>Territory codes are listed from the most precise to the broadest (commune, département,
 * région, country), so that a policy's {@code isPartOf} is plain membership.
 */
public final class ParticipantDirectory {

  /** The attributes of one member. */
  public record Member(String participantId, String name, JsonArray territory, JsonArray hostingQualification) {
  }

  private final Map<String, Member> members;

  private ParticipantDirectory(Map<String, Member> members) {
    this.members = Map.copyOf(members);
  }

  public static ParticipantDirectory empty() {
    return new ParticipantDirectory(Map.of());
  }

  /** Reads {@code {"nodes": [{"participantId", "name", "territory": [...], "hostingQualification": [...]}]}}. */
  public static ParticipantDirectory load(Path file) {
    try {
      JsonObject json = new JsonObject(Files.readString(file));
      Map<String, Member> members = new HashMap<>();
      for (Object o : json.getJsonArray("nodes", new JsonArray())) {
        JsonObject n = (JsonObject) o;
        String id = n.getString("participantId");
        if (id == null) {
          throw new IllegalArgumentException("a member of " + file + " has no participantId: " + n.encode());
        }
        members.put(id, new Member(id, n.getString("name", id), n.getJsonArray("territory", new JsonArray()),
            n.getJsonArray("hostingQualification", new JsonArray())));
      }
      return new ParticipantDirectory(members);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the participant directory " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the participant directory " + file + " is not valid: " + e.getMessage(), e);
    }
  }

  public Member find(String participantId) {
    Member m = members.get(participantId);
    return m != null ? m : new Member(participantId, participantId, new JsonArray(), new JsonArray());
  }
}
