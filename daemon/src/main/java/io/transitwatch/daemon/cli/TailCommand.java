package io.transitwatch.daemon.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: replaced by the real `transitwatch tail` command. */
@Command(name = "tail", description = "Not implemented yet.")
public final class TailCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("transitwatch tail: not implemented yet");
        return 2;
    }
}
