package lakegate.tools.solr;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts a real Apache Solr 9 node in standalone mode (no ZooKeeper) on 127.0.0.1, serving the
 * same HTTP API as Solr's binary distribution under /solr: /solr/{core}/select, /update, the
 * schema API, /solr/admin/cores and the rest. Solr's own JettySolrRunner wires Jetty to solr-core
 * (CoreContainerProvider and SolrDispatchFilter) the way the distribution's web.xml does.
 *
 * <p>Usage: {@code SolrTestServer --solr-home DIR [--port N] [--stop-on-stdin-eof]}. Port 0 (the
 * default) binds a free port. Once Solr answers, one line goes to stdout: {@code SOLR_READY
 * <base url>}, e.g. {@code SOLR_READY http://127.0.0.1:41234/solr}. With --stop-on-stdin-eof the
 * node stops when standard input closes, so it never outlives the process that started it.
 */
public final class SolrTestServer {

  /** A standalone node's solr.xml: Solr's defaults, cores discovered from core.properties. */
  private static final String SOLR_XML =
      String.join(
          "\n",
          "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>",
          "<solr>",
          "  <int name=\"maxBooleanClauses\">${solr.max.booleanClauses:1024}</int>",
          "  <str name=\"allowPaths\">${solr.allowPaths:}</str>",
          "  <str name=\"hideStackTrace\">${solr.hideStackTrace:true}</str>",
          "</solr>",
          "");

  private SolrTestServer() {}

  public static void main(String[] args) throws Exception {
    Path home = null;
    int port = 0;
    boolean stopOnStdinEof = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--solr-home" -> home = Paths.get(args[++i]).toAbsolutePath();
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--stop-on-stdin-eof" -> stopOnStdinEof = true;
        default -> usage("unknown argument: " + args[i]);
      }
    }
    if (home == null) {
      usage("--solr-home is required");
      return;
    }
    Files.createDirectories(home);
    Path solrXml = home.resolve("solr.xml");
    if (!Files.exists(solrXml)) {
      Files.writeString(solrXml, SOLR_XML, StandardCharsets.UTF_8);
    }
    System.setProperty("solr.solr.home", home.toString());
    System.setProperty("solr.install.dir", home.toString());
    System.setProperty("solr.log.dir", home.resolve("logs").toString());

    JettyConfig config =
        JettyConfig.builder().setPort(port).setContext("/solr").stopAtShutdown(true).build();
    JettySolrRunner solr = new JettySolrRunner(home.toString(), new Properties(), config);
    long started = System.nanoTime();
    solr.start();
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.println("SOLR_READY " + solr.getBaseUrl());
    System.out.flush();
    System.err.println("Solr started in " + millis + " ms at " + solr.getBaseUrl());

    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(solr), "solr-stop"));
    if (stopOnStdinEof) {
      waitForEof(System.in);
      stopQuietly(solr);
      System.exit(0);
    }
    new CountDownLatch(1).await();
  }

  private static void waitForEof(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) != -1) {
        // Nothing is read from stdin; its end is the signal to stop.
      }
    } catch (IOException e) {
      // A broken pipe means the parent is gone: stop as well.
    }
  }

  private static void stopQuietly(JettySolrRunner solr) {
    try {
      if (solr.isRunning()) {
        solr.stop();
      }
    } catch (Exception e) {
      System.err.println("Solr did not stop cleanly: " + e);
    }
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: SolrTestServer --solr-home DIR [--port N] [--stop-on-stdin-eof]");
    System.exit(2);
  }
}
