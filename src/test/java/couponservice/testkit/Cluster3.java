package couponservice.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** Three nodes in this JVM forming one cluster over one database, like three service instances. */
public final class Cluster3 implements AutoCloseable {
  private final List<ServiceNode> nodes = new ArrayList<>();

  public Cluster3(TestDatabase database) {
    this(database, ConfigFactory.empty());
  }

  public Cluster3(TestDatabase database, Config extra) {
    List<Integer> remotePorts = List.of(TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort());
    List<Integer> seeds = List.of(remotePorts.get(0));
    for (int port : remotePorts) {
      nodes.add(TestNodes.start(TestNodes.nodeConfig(database, port, seeds, extra)));
    }
    awaitMembersUp(Duration.ofSeconds(30));
    TestNodes.awaitReady(nodes, Duration.ofSeconds(60));
  }

  private void awaitMembersUp(Duration timeout) {
    Eventually.await(timeout, "all " + nodes.size() + " nodes are Up", () -> nodes.stream().allMatch(node ->
        StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
            .filter(member -> member.status() == MemberStatus.up())
            .count() == nodes.size()));
  }

  public List<ServiceNode> nodes() {
    return nodes;
  }

  public List<Integer> httpPorts() {
    return nodes.stream().map(ServiceNode::httpPort).toList();
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }
}
