/*
 * MongoJava: mongo-java-server with its in-memory backend, for the tests.
 *
 * Usage: java -jar launchwatch-mongojava.jar [--listen HOST:PORT] [--watch-stdin]
 *
 * Listens (port 0, the default, picks a free port), prints the MongoDB URI as
 * the first line on stdout, and stops on SIGTERM or SIGINT; with --watch-stdin
 * also when its stdin reaches end of file (a test hands it a pipe, so a test
 * that dies leaves no server behind). Nothing is kept: each start is an empty
 * server.
 */
package launchwatch;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;

public final class MongoJava {
	private MongoJava() {
	}

	public static void main(String[] args) throws InterruptedException {
		String host = "127.0.0.1";
		int port = 0;
		boolean watchStdin = false;
		for (int i = 0; i < args.length; i++) {
			if (args[i].equals("--listen") && i + 1 < args.length) {
				String hp = args[++i];
				int colon = hp.lastIndexOf(':');
				host = hp.substring(0, colon);
				port = Integer.parseInt(hp.substring(colon + 1));
			} else if (args[i].equals("--watch-stdin")) {
				watchStdin = true;
			} else {
				System.err.println("usage: launchwatch-mongojava [--listen HOST:PORT] [--watch-stdin]");
				System.exit(2);
			}
		}
		MongoServer server = new MongoServer(new MemoryBackend());
		server.bind(host, port);
		InetSocketAddress at = server.getLocalAddress();
		Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
		System.out.println("mongodb://" + host + ":" + at.getPort() + "/");
		System.out.flush();
		if (!watchStdin) {
			Thread.currentThread().join(); /* until a signal ends the process */
		}
		/* stdin at end of file (or closed): the parent is gone */
		InputStream in = System.in;
		try {
			while (in.read() >= 0) {
			}
		} catch (IOException e) {
			/* same as end of file */
		}
		System.exit(0);
	}
}
