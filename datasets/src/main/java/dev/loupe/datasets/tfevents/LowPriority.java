package dev.loupe.datasets.tfevents;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Lowers the calling thread's scheduling priority to nice 19 on Linux, so that background work
 * (writing event files) takes the cores when the training threads leave them idle instead of
 * preempting them: with the default priority, waking such a thread on a machine whose cores are
 * all busy tends to run it at once in place of the thread that woke it. Elsewhere, or if the call
 * is refused, the thread keeps its priority.
 */
final class LowPriority {
    private LowPriority() {}

    private static final int PRIO_PROCESS = 0, NICE = 19;

    /** Applies nice 19 to the calling thread; true when the system accepted it. */
    static boolean apply() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) return false;
        try {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            MethodHandle gettid = linker.downcallHandle(libc.find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            MethodHandle setpriority = linker.downcallHandle(libc.find("setpriority").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            int tid = (int) gettid.invokeExact();
            // on Linux, PRIO_PROCESS with a thread id sets that one thread's nice value
            return (int) setpriority.invokeExact(PRIO_PROCESS, tid, NICE) == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
