package fr.socle.catalog;

import fr.socle.store.Database;
import fr.socle.store.NotFound;
import fr.socle.store.OnCreate;
import fr.socle.store.StateRecorder;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Assets, policies and offers in the node's database. */
public final class CatalogStore {


  private static final String OFFER_SELECT = "SELECT o.id, a.id, a.title, a.description, a.content_type, "
      + "a.source, a.classification, p.id, p.body FROM offer o JOIN asset a ON a.id = o.asset_id "
      + "JOIN policy p ON p.id = o.policy_id";

  private final Database db;
  private final Clock clock;
  private final StateRecorder recorder;

  public CatalogStore(Database db, Clock clock) {
    this(db, clock, StateRecorder.NONE);
  }

  /**
   * @param recorder records every change an operator makes here (kind {@code admin}) in the change's
   *     own transaction, so that a crash cannot keep the change and lose its audit entry
   */
  public CatalogStore(Database db, Clock clock, StateRecorder recorder) {
    this.db = db;
    this.clock = clock;
    this.recorder = recorder;
  }

  /** Stages the operator's change {@code action} of {@code resource} in the transaction on {@code c}. */
  private void stage(Connection c, String action, JsonObject resource) throws SQLException {
    recorder.stage(c, "admin", action + ":" + resource.getString("id"),
        new JsonObject().put("action", action).put("by", "operator").put("resource", resource));
  }

  /** Logs the staged changes once committed; a failure leaves them staged for the next start. */
  private <T> Future<T> published(T result) {
    return recorder.published(result, "operator change");
  }

  public Future<Asset> saveAsset(Asset asset) {
    return saveAsset(asset, OnCreate.none());
  }

  /** @param onCreate runs in the creation's transaction (see {@link OnCreate}) */
  public Future<Asset> saveAsset(Asset asset, OnCreate<? super Asset> onCreate) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO asset (id, title, description, content_type, "
          + "source, classification, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, asset.id());
        ps.setString(2, asset.title());
        ps.setString(3, asset.description());
        ps.setString(4, asset.contentType());
        ps.setString(5, asset.source().toJson().encode());
        ps.setString(6, asset.classification());
        ps.setTimestamp(7, now());
        ps.executeUpdate();
      }
      stage(c, "asset.created", asset.toJson());
      onCreate.run(c, asset);
      return asset;
    }).compose(this::published);
  }

  public Future<List<Asset>> listAssets() {
    return db.transaction(c -> {
      List<Asset> assets = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, title, description, content_type, source, "
          + "classification FROM asset ORDER BY id"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          assets.add(asset(rs, 1));
        }
      }
      return assets;
    });
  }

  public Future<Asset> findAsset(String id) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, title, description, content_type, source, "
          + "classification FROM asset WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new NotFound("no asset with id '" + id + "'");
          }
          return asset(rs, 1);
        }
      }
    });
  }

  public Future<PolicyDefinition> savePolicy(PolicyDefinition policy) {
    return savePolicy(policy, OnCreate.none());
  }

  /** @param onCreate runs in the creation's transaction (see {@link OnCreate}) */
  public Future<PolicyDefinition> savePolicy(PolicyDefinition policy, OnCreate<? super PolicyDefinition> onCreate) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO policy (id, body, created_at) VALUES (?, ?, ?)")) {
        ps.setString(1, policy.id());
        ps.setString(2, policy.body().encode());
        ps.setTimestamp(3, now());
        ps.executeUpdate();
      }
      stage(c, "policy.created", policy.toJson());
      onCreate.run(c, policy);
      return policy;
    }).compose(this::published);
  }

  public Future<List<PolicyDefinition>> listPolicies() {
    return db.transaction(c -> {
      List<PolicyDefinition> policies = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, body FROM policy ORDER BY id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          policies.add(new PolicyDefinition(rs.getString(1), new JsonObject(rs.getString(2))));
        }
      }
      return policies;
    });
  }

  /** Creates an offer; fails with {@link NotFound} naming the missing asset or policy. */
  public Future<Offer> saveOffer(String id, String assetId, String policyId) {
    return saveOffer(id, assetId, policyId, OnCreate.none());
  }

  /** @param onCreate runs in the creation's transaction (see {@link OnCreate}) */
  public Future<Offer> saveOffer(String id, String assetId, String policyId, OnCreate<? super Offer> onCreate) {
    return db.transaction(c -> {
      requireExists(c, "asset", assetId);
      requireExists(c, "policy", policyId);
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO offer (id, asset_id, policy_id, created_at) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, id);
        ps.setString(2, assetId);
        ps.setString(3, policyId);
        ps.setTimestamp(4, now());
        ps.executeUpdate();
      }
      Offer offer = findOffer(c, id);
      stage(c, "offer.created", offer.toJson());
      onCreate.run(c, offer);
      return offer;
    }).compose(this::published);
  }

  public Future<List<Offer>> listOffers() {
    return db.transaction(c -> {
      List<Offer> offers = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(OFFER_SELECT + " ORDER BY o.id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          offers.add(offer(rs));
        }
      }
      return offers;
    });
  }

  public Future<Offer> findOffer(String id) {
    return db.transaction(c -> findOffer(c, id));
  }

  private Offer findOffer(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(OFFER_SELECT + " WHERE o.id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new NotFound("no offer with id '" + id + "'");
        }
        return offer(rs);
      }
    }
  }

  private static void requireExists(Connection c, String table, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + table + " WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new NotFound("no " + table + " with id '" + id + "'");
        }
      }
    }
  }

  private static Offer offer(ResultSet rs) throws SQLException {
    Asset asset = asset(rs, 2);
    PolicyDefinition policy = new PolicyDefinition(rs.getString(8), new JsonObject(rs.getString(9)));
    return new Offer(rs.getString(1), asset, policy);
  }

  private static Asset asset(ResultSet rs, int from) throws SQLException {
    return new Asset(rs.getString(from), rs.getString(from + 1), rs.getString(from + 2), rs.getString(from + 3),
        AssetSource.fromJson(new JsonObject(rs.getString(from + 4))), rs.getString(from + 5));
  }

  private Timestamp now() {
    return Timestamp.from(clock.instant());
  }
}
