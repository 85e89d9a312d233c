package couponservice.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The service's packages depend on each other without cycles: each feature can be read, changed and started on
 * what it depends on. The dependencies are the compiled classes' own, as the JDK's jdeps reads them.
 */
class PackageCyclesTest {
  private static final Pattern DEPENDENCY = Pattern.compile("^\\s+(couponservice[\\w.]*)\\s+->\\s+(couponservice[\\w.]*)\\s");

  @Test
  void theServicesPackagesFormNoCycle() {
    Path classes = Path.of("target", "classes");
    assertTrue(Files.isDirectory(classes), "compiled classes at " + classes.toAbsolutePath());
    Map<String, Set<String>> graph = dependencies(classes);
    assertTrue(graph.size() > 10, "jdeps read the packages: " + graph.keySet());
    List<Set<String>> cycles = stronglyConnected(graph).stream().filter(component -> component.size() > 1).toList();
    assertTrue(cycles.isEmpty(), () -> "package cycles: " + cycles + "\n" + edgesWithin(graph, cycles));
  }

  private static Map<String, Set<String>> dependencies(Path classes) {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("jdeps is part of the JDK"));
    StringWriter out = new StringWriter();
    int exit = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-filter:none",
        "--ignore-missing-deps", classes.toString());
    assertTrue(exit == 0, () -> "jdeps failed: " + out);
    Map<String, Set<String>> graph = new TreeMap<>();
    for (String line : out.toString().split("\n")) {
      Matcher dependency = DEPENDENCY.matcher(line);
      if (dependency.find()) {
        graph.computeIfAbsent(dependency.group(1), p -> new TreeSet<>());
        graph.computeIfAbsent(dependency.group(2), p -> new TreeSet<>());
        if (!dependency.group(1).equals(dependency.group(2))) {
          graph.get(dependency.group(1)).add(dependency.group(2));
        }
      }
    }
    return graph;
  }

  /** Tarjan's strongly connected components. */
  private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> components = new ArrayList<>();
    int[] counter = {0};
    for (String node : graph.keySet()) {
      if (!index.containsKey(node)) {
        connect(node, graph, index, low, stack, onStack, components, counter);
      }
    }
    return components;
  }

  private static void connect(String node, Map<String, Set<String>> graph, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> components, int[] counter) {
    index.put(node, counter[0]);
    low.put(node, counter[0]++);
    stack.push(node);
    onStack.add(node);
    for (String next : graph.get(node)) {
      if (!index.containsKey(next)) {
        connect(next, graph, index, low, stack, onStack, components, counter);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      Set<String> component = new TreeSet<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        component.add(member);
      } while (!member.equals(node));
      components.add(component);
    }
  }

  private static String edgesWithin(Map<String, Set<String>> graph, List<Set<String>> cycles) {
    StringBuilder edges = new StringBuilder();
    for (Set<String> cycle : cycles) {
      for (String from : cycle) {
        graph.get(from).stream().filter(cycle::contains).forEach(to -> edges.append(from).append(" -> ").append(to)
            .append('\n'));
      }
    }
    return edges.toString();
  }
}
