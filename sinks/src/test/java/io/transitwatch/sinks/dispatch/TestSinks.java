package io.transitwatch.sinks.dispatch;

import io.transitwatch.sinks.AlertSink;
import io.transitwatch.sinks.SinkEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Sinks with scripted behaviour for the dispatcher tests. */
final class TestSinks {
    private TestSinks() {}

    /** Records every event, the thread that published it, and flush/close calls, in order. */
    static class Recording implements AlertSink {
        final String name;
        final List<SinkEvent> events = new CopyOnWriteArrayList<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        Recording(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CompletableFuture<Void> publish(List<SinkEvent> batch) {
            threads.add(Thread.currentThread().getName());
            calls.add("publish " + batch.size());
            events.addAll(batch);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> flush() {
            calls.add("flush");
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            calls.add("close");
            closed = true;
        }
    }

    /** Blocks inside publish until the gate opens (or its thread is interrupted). */
    static final class Gated extends Recording {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger entered = new AtomicInteger();

        Gated(String name) {
            super(name);
        }

        @Override
        public CompletableFuture<Void> publish(List<SinkEvent> batch) {
            entered.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableFuture.failedFuture(e);
            }
            return super.publish(batch);
        }

        void open() {
            gate.countDown();
        }
    }

    /** Every publish throws, as a sink with a bug would. */
    static final class Throwing extends Recording {
        Throwing(String name) {
            super(name);
        }

        @Override
        public CompletableFuture<Void> publish(List<SinkEvent> batch) {
            throw new IllegalStateException("bug in sink");
        }
    }
}
