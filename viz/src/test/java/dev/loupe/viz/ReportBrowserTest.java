package dev.loupe.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a report in headless Chromium (Debian's {@code chromium}; skipped when absent), reads back the
 * page's own count of decoded images, and takes a screenshot.
 */
class ReportBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void everyImageLoadsInHeadlessChromium(@TempDir Path tmp) throws Exception {
        Path run = fakeRun(tmp);
        Path index = new Report().add("Pictures", ReportBrowserTest::squares).write(run, run.resolve("report"));
        String html = Files.readString(index);
        assertTrue(html.contains("img src=\"square-0.png\""), html);
        assertTrue(html.contains("test_accuracy = 0.9"), html);
        assertTrue(!html.contains("http://") && !html.contains("https://"), "report must not reference the network");
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed");

        assertEquals("3/3", BrowserCheck.imagesLoaded(index, tmp.resolve("profile")));
        Path shot = run.resolve("report").resolve("screenshot.png");
        BrowserCheck.screenshot(index, shot, tmp.resolve("profile2"));
        BufferedImage img = ImageIO.read(shot.toFile());
        assertTrue(img != null && img.getWidth() >= 800, "screenshot was written");
    }

    @Test
    void aMissingPictureIsCounted(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed");
        Path run = fakeRun(tmp);
        Path index = new Report().add("Pictures", ReportBrowserTest::squares).write(run, run.resolve("report"));
        Files.delete(run.resolve("report").resolve("square-1.png"));
        assertEquals("2/3", BrowserCheck.imagesLoaded(index, tmp.resolve("profile")));
    }

    static Path fakeRun(Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve("run.json"), """
                {"model":{"name":"cnn","parameters":123},"data":{"name":"fashion-mnist","source":"embedded"},
                 "backend":{"name":"reference","device":"cpu"},"seed":42,"result":{"test_accuracy":0.9}}
                """);
        return run;
    }

    static List<Path> squares(Path run, Path report) throws IOException {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(200, 120, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(40 + 60 * i, 90, 160));
            g.fillRect(0, 0, 200, 120);
            g.dispose();
            Path p = report.resolve("square-" + i + ".png");
            ImageIO.write(img, "png", p.toFile());
            out.add(p);
        }
        return out;
    }

    /** Drives Debian's chromium headless with the flags a closed network needs. */
    static final class BrowserCheck {
        static String imagesLoaded(Path index, Path profile) throws Exception {
            String dom = runChromium(profile, "--dump-dom", index.toUri().toString());
            Matcher m = Pattern.compile("data-images=\"(\\d+/\\d+)\"").matcher(dom);
            return m.find() ? m.group(1) : "no data-images attribute in: " + dom.substring(0, Math.min(300, dom.length()));
        }

        static void screenshot(Path index, Path png, Path profile) throws Exception {
            runChromium(profile, "--screenshot=" + png.toAbsolutePath(), "--window-size=1280,1600",
                    index.toUri().toString());
        }

        private static String runChromium(Path profile, String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--hide-scrollbars", "--virtual-time-budget=5000",
                    "--user-data-dir=" + profile.toAbsolutePath()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("chromium did not finish in 60 s");
            }
            return out;
        }
    }
}
