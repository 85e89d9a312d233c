package couponservice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;

/**
 * Journal rows written by an earlier version of the service (a classpath resource such as
 * {@code journal/journal-before-issuance-terms.json}: each row's persistence id, sequence number, serializer, manifest,
 * payload and tags), put into a test database's journal as that version left it, so that tests show today's code
 * reads them; its snapshots likewise. The database's schema must have been created by a node, and hold no events yet.
 */
public final class LegacyJournal {
  private LegacyJournal() {}

  /**
   * Appends the rows to {@code database}'s journal, in their order, and drops what the earlier version did not
   * have ({@code schema_migrations}, {@code coupon_tag_blocks}), so the next node starts as on a database that
   * version created.
   */
  public static int load(TestDatabase database, String resource) {
    JsonNode rows = read(resource);
    try (Connection connection = database.connect();
        PreparedStatement event = connection.prepareStatement("""
            INSERT INTO event_journal (persistence_id, sequence_number, deleted, writer, write_timestamp,
              adapter_manifest, event_ser_id, event_ser_manifest, event_payload)
            VALUES (?, ?, FALSE, ?, ?, ?, ?, ?, ?) RETURNING ordering""");
        PreparedStatement tag = connection.prepareStatement("INSERT INTO event_tag (event_id, tag) VALUES (?, ?)");
        Statement ddl = connection.createStatement()) {
      ddl.execute("DROP TABLE IF EXISTS schema_migrations");
      ddl.execute("DROP TABLE IF EXISTS coupon_tag_blocks");
      for (JsonNode row : rows) {
        event.setString(1, row.path("persistenceId").asText());
        event.setLong(2, row.path("sequenceNr").asLong());
        event.setString(3, row.path("writer").asText());
        event.setLong(4, row.path("writeTimestamp").asLong());
        event.setString(5, row.path("adapterManifest").asText());
        event.setInt(6, row.path("serializerId").asInt());
        event.setString(7, row.path("manifest").asText());
        event.setBytes(8, Base64.getDecoder().decode(row.path("payload").asText()));
        long ordering;
        try (ResultSet inserted = event.executeQuery()) {
          inserted.next();
          ordering = inserted.getLong(1);
        }
        if (!row.path("tags").isNull() && !row.path("tags").asText().isEmpty()) {
          for (String name : row.path("tags").asText().split(",")) {
            tag.setLong(1, ordering);
            tag.setString(2, name);
            tag.executeUpdate();
          }
        }
      }
      return rows.size();
    } catch (SQLException e) {
      throw new IllegalStateException("loading " + resource + " failed", e);
    }
  }

  /** Adds the snapshot rows of {@code resource} (persistence id, sequence number, created, serializer, manifest, payload). */
  public static int loadSnapshots(TestDatabase database, String resource) {
    JsonNode rows = read(resource);
    try (Connection connection = database.connect();
        PreparedStatement snapshot = connection.prepareStatement("""
            INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot_ser_id, snapshot_ser_manifest,
              snapshot_payload) VALUES (?, ?, ?, ?, ?, ?)""")) {
      for (JsonNode row : rows) {
        snapshot.setString(1, row.path("persistenceId").asText());
        snapshot.setLong(2, row.path("sequenceNr").asLong());
        snapshot.setLong(3, row.path("created").asLong());
        snapshot.setInt(4, row.path("serializerId").asInt());
        snapshot.setString(5, row.path("manifest").asText());
        snapshot.setBytes(6, Base64.getDecoder().decode(row.path("payload").asText()));
        snapshot.executeUpdate();
      }
      return rows.size();
    } catch (SQLException e) {
      throw new IllegalStateException("loading " + resource + " failed", e);
    }
  }

  private static JsonNode read(String resource) {
    try (InputStream in = LegacyJournal.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException(resource + " is not on the test classpath");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
