package io.transitwatch.sinks;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The tests' stand-in for the daemon's NamedThreadFactory; remembers its threads so tests can check them. */
public final class TestThreads implements ThreadFactory {
    private final String role;
    private final AtomicInteger counter = new AtomicInteger();
    private final List<Thread> made = new CopyOnWriteArrayList<>();

    public TestThreads(String role) {
        this.role = role;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, "transitwatch-" + role + "-" + counter.incrementAndGet());
        thread.setDaemon(true);
        made.add(thread);
        return thread;
    }

    public List<Thread> made() {
        return made;
    }
}
