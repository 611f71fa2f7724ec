package dln.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.BarrierTaskContext;

/**
 * Sums a vector over the tasks of a barrier stage, every task getting the same floats: a ring
 * all-reduce over TCP between the tasks themselves. Each task sends to the next (partition k to
 * k + 1, the last to the first) and receives from the one before; N − 1 steps of reduce-scatter
 * leave each task with the full sum of one N-th of the vector, and N − 1 steps of all-gather pass
 * those sums round, so each sum is computed by one task only and copied to the others. A task
 * sends and receives 2·(N − 1)/N of the vector per sum, however many tasks there are.
 *
 * <p>The tasks find each other once per stage with {@link BarrierTaskContext#allGather} (each
 * sends its host and port). That call is Spark's own all-gather, but it passes through the driver
 * and waits in steps of a second (Spark polls its answer once a second), too slow for every step.
 */
final class Ring implements AutoCloseable {
    /** How long a read waits for the previous task before the step fails (a worker lost mid-step). */
    static final int TIMEOUT_MILLIS = 600_000;

    private final int rank, size;
    private final ServerSocket server;
    private final Socket toNext, fromPrevious;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final ExecutorService sender;
    private byte[] sendBytes = new byte[0], receiveBytes = new byte[0];

    private Ring(int rank, int size, ServerSocket server, Socket toNext, Socket fromPrevious) throws IOException {
        this.rank = rank;
        this.size = size;
        this.server = server;
        this.toNext = toNext;
        this.fromPrevious = fromPrevious;
        this.out = toNext == null ? null : new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 16));
        this.in = fromPrevious == null ? null : new DataInputStream(new BufferedInputStream(fromPrevious.getInputStream(), 1 << 16));
        this.sender = size == 1 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dln-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /** The ring of {@code context}'s stage; every task of the stage must open it, in the same place. */
    static Ring open(BarrierTaskContext context) {
        int rank = context.partitionId(), size = context.numPartitions();
        try {
            if (size == 1) return new Ring(0, 1, null, null, null);
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(0));
            server.setSoTimeout(TIMEOUT_MILLIS);
            String host = context.getTaskInfos()[rank].address();
            host = host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
            String[] all = context.allGather(host + ":" + server.getLocalPort());
            String next = all[(rank + 1) % size];
            int colon = next.lastIndexOf(':');
            Socket toNext = new Socket();
            toNext.connect(new InetSocketAddress(next.substring(0, colon), Integer.parseInt(next.substring(colon + 1))), TIMEOUT_MILLIS);
            toNext.setTcpNoDelay(true);
            Socket fromPrevious = server.accept();
            fromPrevious.setSoTimeout(TIMEOUT_MILLIS);
            Ring ring = new Ring(rank, size, server, toNext, fromPrevious);
            context.addTaskInterruptListener((org.apache.spark.util.TaskInterruptListener) (task, reason) -> ring.close());
            return ring;
        } catch (IOException e) {
            throw new UncheckedIOException("worker " + rank + " cannot join the ring of " + size + " workers: " + e.getMessage(), e);
        }
    }

    /** The sum over the ring's tasks of each one's {@code values} (the same length in every task), in place. */
    float[] sum(float[] values) {
        if (size == 1) return values;
        int n = values.length;
        try {
            for (int s = 0; s < size - 1; s++) exchange(values, segment(rank - s, n), segment(rank - s - 1, n), true);
            for (int s = 0; s < size - 1; s++) exchange(values, segment(rank + 1 - s, n), segment(rank - s, n), false);
        } catch (IOException e) {
            throw new UncheckedIOException("worker " + rank + " lost the ring of " + size + " workers: " + (e.getMessage() != null ? e.getMessage() : e), e);
        }
        return values;
    }

    /** Segment {@code i} (mod the ring's size) of a vector of {@code n}: {from, to}. */
    private int[] segment(int i, int n) {
        int k = Math.floorMod(i, size);
        return new int[] {(int) ((long) n * k / size), (int) ((long) n * (k + 1) / size)};
    }

    /** Sends {@code send} to the next task while receiving {@code receive} from the previous one, adding it or copying it in. */
    private void exchange(float[] values, int[] send, int[] receive, boolean add) throws IOException {
        int sendCount = send[1] - send[0], receiveCount = receive[1] - receive[0];
        if (sendBytes.length < 4 * sendCount) sendBytes = new byte[4 * sendCount];
        ByteBuffer.wrap(sendBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values, send[0], sendCount);
        Future<?> sent = sender.submit(() -> {
            out.write(sendBytes, 0, 4 * sendCount);
            out.flush();
            return null;
        });
        if (receiveBytes.length < 4 * receiveCount) receiveBytes = new byte[4 * receiveCount];
        in.readFully(receiveBytes, 0, 4 * receiveCount);
        var floats = ByteBuffer.wrap(receiveBytes, 0, 4 * receiveCount).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        if (add) {
            for (int i = 0; i < receiveCount; i++) values[receive[0] + i] += floats.get(i);
        } else {
            floats.get(values, receive[0], receiveCount);
        }
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending to the next worker", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    @Override
    public void close() {
        if (sender != null) sender.shutdownNow();
        for (AutoCloseable c : new AutoCloseable[] {toNext, fromPrevious, server}) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                // closing: nothing to do
            }
        }
    }
}
