package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The executable jar carries the licence and notice files of everything it bundles: {@code
 * META-INF/THIRD-PARTY.txt} names every bundled library (each one that says who it is in a {@code
 * META-INF/maven/.../pom.properties}) at the bundled version, and every file it points to is in the jar.
 */
final class ThirdPartyNoticesJarIT {
  private static JarFile jar;
  private static List<String> thirdParty;

  @BeforeAll
  static void open() throws IOException {
    jar = new JarFile(System.getProperty("traffic-policy.jar", "target/traffic-policy.jar"));
    thirdParty = text("META-INF/THIRD-PARTY.txt").lines().filter(l -> l.contains(" | ")).toList();
  }

  private static String text(String entry) throws IOException {
    JarEntry e = jar.getJarEntry(entry);
    assertThat(e).as(entry).isNotNull();
    try (InputStream in = jar.getInputStream(e)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyBundledLibraryIsListedAtItsBundledVersion() throws IOException {
    List<String> bundled = new ArrayList<>();
    for (JarEntry e : Collections.list(jar.entries())) {
      if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
        Properties p = new Properties();
        try (InputStream in = jar.getInputStream(e)) {
          p.load(in);
        }
        if (!p.getProperty("groupId").equals("io.github.trafficpolicy")) {
          bundled.add(p.getProperty("groupId") + ":" + p.getProperty("artifactId") + ":" + p.getProperty("version"));
        }
      }
    }
    assertThat(bundled).anyMatch(b -> b.startsWith("dnsjava:dnsjava:")).hasSizeGreaterThan(10);
    for (String library : bundled) {
      assertThat(thirdParty).as("THIRD-PARTY.txt lists %s", library).anyMatch(l -> l.startsWith(library + " | "));
    }
  }

  @Test
  void everyLicenceFileNamedIsInTheJar_andDnsjavasBsdNoticeIsThere() throws IOException {
    for (String line : thirdParty) {
      String files = line.substring(line.lastIndexOf(" | ") + 3);
      for (String f : files.split(", ")) {
        assertThat(text(f.trim())).as("%s (%s)", f, line).isNotBlank();
      }
    }
    assertThat(text("META-INF/LICENSE")).contains("Apache License", "Version 2.0");
    assertThat(text("META-INF/third-party/dnsjava/LICENSE"))
        .contains("Brian Wellington", "Redistributions in binary form must reproduce the above copyright notice");
    assertThat(text("META-INF/third-party/slf4j/LICENSE")).contains("QOS.ch", "Permission is hereby granted");
  }
}
