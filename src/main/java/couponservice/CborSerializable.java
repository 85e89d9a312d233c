package couponservice;

/** Marker for every message, event and snapshot that crosses a node or reaches the journal (Jackson CBOR). */
public interface CborSerializable {}
