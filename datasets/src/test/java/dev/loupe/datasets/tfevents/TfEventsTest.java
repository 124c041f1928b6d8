package dev.loupe.datasets.tfevents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TFRecord framing and Event encoding checked against independent implementations (a bitwise CRC-32C, protoc). */
class TfEventsTest {
    @TempDir
    Path tmp;

    /** Bit-at-a-time CRC-32C (reflected Castagnoli polynomial 0x82F63B78), independent of java.util.zip. */
    private static int crc32c(byte[] data, int off, int len) {
        int crc = 0xFFFFFFFF;
        for (int i = off; i < off + len; i++) {
            crc ^= data[i] & 0xFF;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
        }
        return ~crc;
    }

    private static int masked(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    private static TfEvent sample(long step) {
        Histogram h = Histogram.equalWidth(-1, 3, new float[] {1, 0, 2, 5}, 7.5, 20.25);
        return TfEvent.summary(1.7e9 + step, step, List.of(new SummaryValue.Scalar("train/loss", 0.25f + step),
                new SummaryValue.Scalar("layer/dense1/W/l2", 3.5f), new SummaryValue.Histo("layer/dense1/W/hist", h)));
    }

    /**
     * A block of scalars encoded from its tags' template gives byte for byte what the codec writes
     * for the same scalars as separate values after the others, and decodes to them: special
     * floats (NaN payload, infinities, −0), a multi-byte UTF-8 tag, a tag whose length needs a
     * two-byte varint, a block alone and a block after a histogram.
     */
    @Test
    void scalarBlocksEncodeLikeTheSameScalars() throws IOException {
        String longTag = "layer/" + "x".repeat(150) + "/mean";
        ScalarTags tags = new ScalarTags(List.of("layer/dense1/W/mean", "layer/dénse/b/l2", longTag, "a", "b", "c"));
        float[] v = {1.5f, Float.intBitsToFloat(0x7fc00123), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 3e-42f};
        for (List<SummaryValue> before : List.of(List.<SummaryValue>of(), sample(3).values())) {
            TfEvent block = TfEvent.summary(1.7e9, 300, before, new ScalarBlock(tags, v.clone()));
            TfEvent plain = TfEvent.summary(1.7e9, 300, block.allValues());
            byte[] bytes = EventCodec.encode(block);
            assertArrayEquals(EventCodec.encode(plain), bytes);
            List<SummaryValue> back = EventCodec.decode(bytes).values();
            assertEquals(before.size() + v.length, back.size());
            for (int i = 0; i < v.length; i++) {
                SummaryValue.Scalar sc = (SummaryValue.Scalar) back.get(before.size() + i);
                assertEquals(tags.tag(i), sc.tag());
                assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(sc.value()), tags.tag(i));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new ScalarBlock(tags, new float[5]));
    }

    @Test
    void crcMatchesTheCastagnoliCheckValue() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, crc32c(check, 0, check.length), "independent CRC is the standard CRC-32C");
        assertEquals(masked(0xE3069283), TfRecords.maskedCrc(check, 0, check.length));
    }

    @Test
    void encodedEventsDecodeToTheSameValues() throws IOException {
        TfEvent e = sample(12);
        TfEvent back = EventCodec.decode(EventCodec.encode(e));
        assertEquals(e.step(), back.step());
        assertEquals(e.wallTime(), back.wallTime());
        assertEquals(3, back.values().size());
        assertEquals(e.values().get(0), back.values().get(0));
        Histogram h = ((SummaryValue.Histo) back.values().get(2)).histogram();
        assertArrayEquals(new double[] {0, 1, 2, 3}, h.bucketLimit());
        assertArrayEquals(new double[] {1, 0, 2, 5}, h.bucket());
        assertEquals(8, h.num());
        assertEquals("brain.Event:2", EventCodec.decode(EventCodec.encode(TfEvent.header(5))).fileVersion());
    }

    @Test
    void writtenFileHasValidFramingAndCrcs() throws IOException {
        Path f;
        try (TfEventWriter w = new TfEventWriter(tmp)) {
            for (int s = 0; s < 3; s++) w.write(sample(s));
            f = w.file();
        }
        assertTrue(f.getFileName().toString().startsWith("events.out.tfevents."));
        List<byte[]> payloads = parseIndependently(Files.readAllBytes(f));
        assertEquals(4, payloads.size(), "header + 3 events");
        TfEventReader.Result r = TfEventReader.read(f);
        assertEquals(4, r.events().size());
        assertEquals("brain.Event:2", r.events().getFirst().fileVersion());
        assertEquals(2.25f, ((SummaryValue.Scalar) r.events().get(3).values().getFirst()).value());
        assertTrue(r.warnings().isEmpty());
    }

    @Test
    void backgroundWriterWritesEveryEventInOrderByClose() throws IOException {
        int n = 10 * TfEventWriter.QUEUE; // more than the queue holds: write() must wait for the thread, not drop
        Path f;
        byte[] expected;
        try (TfEventWriter w = TfEventWriter.inBackground(tmp)) {
            java.io.ByteArrayOutputStream want = new java.io.ByteArrayOutputStream();
            for (int s = 0; s < n; s++) {
                w.write(sample(s));
                want.writeBytes(TfRecords.frame(EventCodec.encode(sample(s))));
            }
            f = w.file();
            expected = want.toByteArray();
        }
        byte[] all = Files.readAllBytes(f);
        List<byte[]> payloads = parseIndependently(all);
        assertEquals(n + 1, payloads.size(), "header + every event");
        // the same bytes as the synchronous writer's records, in the order written
        assertArrayEquals(expected, Arrays.copyOfRange(all, all.length - expected.length, all.length));
        TfEventReader.Result r = TfEventReader.read(f);
        for (int s = 0; s < n; s++) assertEquals(s, r.events().get(s + 1).step());
        assertTrue(r.warnings().isEmpty());
    }

    @Test
    void writerRefusesEventsAfterClose() {
        TfEventWriter w = TfEventWriter.inBackground(tmp);
        w.close();
        w.close(); // a second close is harmless
        assertThrows(IllegalStateException.class, () -> w.write(sample(1)));
    }

    @Test
    void backgroundThreadRunsAtTheLowestPriorityOnLinux() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "nice values are set on Linux only");
        boolean[] ok = new boolean[1];
        int[] nice = {Integer.MIN_VALUE};
        Thread t = Thread.ofPlatform().start(() -> {
            ok[0] = LowPriority.apply();
            try { // field 19 of /proc/thread-self/stat is the nice value
                String stat = Files.readString(Path.of("/proc/thread-self/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                nice[0] = Integer.parseInt(f[16]);
            } catch (IOException | RuntimeException e) {
                nice[0] = Integer.MIN_VALUE;
            }
        });
        t.join();
        assertTrue(ok[0], "setpriority refused");
        assertEquals(19, nice[0], "nice value of the thread");
    }

    /** Walks the framing with the test's own CRC, failing on any mismatch. */
    private static List<byte[]> parseIndependently(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            int len = (int) b.getLong(pos);
            assertEquals(masked(crc32c(data, pos, 8)), b.getInt(pos + 8), "length CRC at " + pos);
            assertEquals(masked(crc32c(data, pos + 12, len)), b.getInt(pos + 12 + len), "payload CRC at " + pos);
            out.add(Arrays.copyOfRange(data, pos + 12, pos + 12 + len));
            pos += 16 + len;
        }
        assertEquals(data.length, pos);
        return out;
    }

    @Test
    void protocDecodesEveryRecord() throws Exception {
        Assumptions.assumeTrue(onPath("protoc"), "protoc not installed (Debian package protobuf-compiler)");
        Path f;
        try (TfEventWriter w = new TfEventWriter(tmp)) {
            w.write(sample(7));
            f = w.file();
        }
        List<byte[]> payloads = parseIndependently(Files.readAllBytes(f));
        String header = protoc(payloads.get(0));
        assertTrue(header.contains("3: \"brain.Event:2\""), header);
        String ev = protoc(payloads.get(1));
        assertTrue(ev.contains("2: 7"), "step field: " + ev);
        assertTrue(ev.contains("1: \"train/loss\""), ev);
        assertTrue(ev.contains(String.format("2: 0x%08x", Float.floatToIntBits(7.25f))), "loss as fixed32: " + ev);
        assertTrue(ev.contains("1: \"layer/dense1/W/hist\""), ev);
        // histogram num (field 3, fixed64) = 8.0
        assertTrue(ev.contains(String.format("3: 0x%016x", Double.doubleToLongBits(8.0))), "histogram count: " + ev);
    }

    private static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, exe))) return true;
        }
        return false;
    }

    private String protoc(byte[] payload) throws Exception {
        Process p = new ProcessBuilder("protoc", "--decode_raw").redirectErrorStream(true).start();
        p.getOutputStream().write(payload);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void tornLastRecordIsSkippedAtEveryCutPoint() throws IOException {
        Path f;
        try (TfEventWriter w = new TfEventWriter(tmp)) {
            for (int s = 0; s < 3; s++) w.write(sample(s));
            f = w.file();
        }
        byte[] all = Files.readAllBytes(f);
        int lastStart = all.length - (16 + EventCodec.encode(sample(2)).length);
        for (int cut = lastStart + 1; cut < all.length; cut++) {
            Path torn = tmp.resolve("cut").resolve("events.out.tfevents.1." + cut);
            Files.createDirectories(torn.getParent());
            Files.write(torn, Arrays.copyOf(all, cut));
            TfEventReader.Result r = TfEventReader.read(torn);
            assertEquals(3, r.events().size(), "cut at " + cut);
            assertEquals(1, r.warnings().size(), "cut at " + cut);
            assertTrue(r.warnings().getFirst().contains("offset " + lastStart), r.warnings().getFirst());
        }
        // a flipped bit in the last payload is also a torn tail
        byte[] bad = all.clone();
        bad[all.length - 6] ^= 1;
        Files.write(f, bad);
        assertEquals(3, TfEventReader.read(f).events().size());
    }

    @Test
    void corruptRecordInTheMiddleIsBadInputNamingFileAndOffset() throws IOException {
        Path f;
        try (TfEventWriter w = new TfEventWriter(tmp)) {
            for (int s = 0; s < 3; s++) w.write(sample(s));
            f = w.file();
        }
        byte[] all = Files.readAllBytes(f);
        int second = 16 + EventCodec.encode(TfEvent.header(0)).length; // offset of the first summary record
        all[second + 20] ^= 0x40;
        Files.write(f, all);
        BadInputException e = assertThrows(BadInputException.class, () -> TfEventReader.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("offset " + second), e.getMessage());
        all[second + 20] ^= 0x40;
        all[second + 2] ^= 0x01; // length bytes
        Files.write(f, all);
        e = assertThrows(BadInputException.class, () -> TfEventReader.read(f));
        assertTrue(e.getMessage().contains("length CRC") && e.getMessage().contains("offset " + second), e.getMessage());
    }

    @Test
    void mangledFilesEitherReadOrFailAsBadInputNeverOtherwise() throws IOException {
        Path f;
        try (TfEventWriter w = new TfEventWriter(tmp)) {
            for (int s = 0; s < 4; s++) w.write(sample(s));
            f = w.file();
        }
        byte[] good = Files.readAllBytes(f);
        java.util.Random rnd = new java.util.Random(11);
        Path m = tmp.resolve("m").resolve("events.out.tfevents.1.m");
        Files.createDirectories(m.getParent());
        int read = 0, bad = 0;
        for (int trial = 0; trial < 3000; trial++) {
            byte[] b = good.clone();
            switch (trial % 3) {
                case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
                default -> {
                    for (int k = 0; k < 1 + rnd.nextInt(8); k++) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            Files.write(m, b);
            try {
                TfEventReader.Result r = TfEventReader.read(m);
                assertTrue(r.events().size() <= 5);
                read++;
            } catch (BadInputException e) {
                assertTrue(e.getMessage().contains(m.toString()), e.getMessage());
                bad++;
            }
        }
        assertTrue(read > 0 && bad > 0, read + " read, " + bad + " rejected");
    }

    @Test
    void laterRecordsOfTheSameStepWinInTheLog() {
        List<TfEvent> events = List.of(sample(1), TfEvent.summary(0, 1, List.of(new SummaryValue.Scalar("train/loss", 9f))));
        EventLog log = EventLog.of(new TfEventReader.Result(events, List.of()));
        assertEquals(9f, log.scalar("train/loss").get(1L));
        assertEquals(1, log.histograms().get("layer/dense1/W/hist").size());
    }
}
