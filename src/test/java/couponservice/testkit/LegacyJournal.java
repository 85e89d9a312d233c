package couponservice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;

/**
 * Journal rows written by an earlier version of the service, as exported to a test resource (a JSON array of rows:
 * {@code persistenceId}, {@code sequenceNr}, {@code writer}, {@code writeTimestamp}, {@code adapterManifest},
 * {@code serializerId}, {@code manifest}, {@code payload} in base64, {@code tags} comma-separated or null), inserted
 * into a {@link TestDatabase} whose schema a node has created: the events exactly as that version serialized them,
 * for tests that today's version still reads them.
 */
public final class LegacyJournal {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LegacyJournal() {}

  /** Inserts every row of classpath resource {@code resource}, in one transaction; returns how many. */
  public static int insert(TestDatabase database, String resource) {
    JsonNode rows = read(resource);
    try (Connection connection = database.connect()) {
      connection.setAutoCommit(false);
      try (PreparedStatement event = connection.prepareStatement("""
              INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp, adapter_manifest,
                event_ser_id, event_ser_manifest, event_payload)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ordering""");
          PreparedStatement tag = connection.prepareStatement("INSERT INTO event_tag (event_id, tag) VALUES (?, ?)")) {
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
          if (row.hasNonNull("tags")) {
            for (String name : row.path("tags").asText().split(",")) {
              tag.setLong(1, ordering);
              tag.setString(2, name);
              tag.executeUpdate();
            }
          }
        }
      }
      connection.commit();
      return rows.size();
    } catch (SQLException e) {
      throw new IllegalStateException("inserting the journal rows of " + resource + " failed", e);
    }
  }

  private static JsonNode read(String resource) {
    try (InputStream in = LegacyJournal.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource);
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException("reading " + resource + " failed", e);
    }
  }
}
