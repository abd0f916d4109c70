package io.transitwatch.daemon.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: replaced by the real `transitwatch simulate` command. */
@Command(name = "simulate", description = "Not implemented yet.")
public final class SimulateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("transitwatch simulate: not implemented yet");
        return 2;
    }
}
