package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * dnsjava stays an implementation detail of the dns module: no public or protected signature of a public type
 * (fields, constructors, methods, supertypes, record components, type parameters) names an {@code org.xbill} type,
 * as the package documentation promises; and no public signature of the configuration package names a Jackson type.
 * The twin of the api module's Jackson confinement test.
 */
final class DnsjavaConfinementTest {
  private static final String DNSJAVA = "org.xbill.";
  private static final String JACKSON = "com.fasterxml.";

  @Test
  void publicSignatures_everyPackage_nameNoDnsjavaType() throws IOException, URISyntaxException {
    List<Class<?>> checked = publicTypes();
    assertThat(checked).as("public types checked").hasSizeGreaterThan(20);
    assertThat(offenders(checked, DNSJAVA)).isEmpty();
  }

  @Test
  void publicSignatures_configPackage_nameNoJacksonType() throws IOException, URISyntaxException {
    // The configuration's API is typed (ServeConfig and its builder): JSON is how it is read, not what it is.
    List<Class<?>> config = publicTypes().stream()
        .filter(c -> c.getPackageName().equals("io.github.trafficpolicy.dns.config")).toList();
    assertThat(config).as("public config types checked").extracting(Class::getSimpleName).contains("ServeConfig");
    assertThat(offenders(config, JACKSON)).isEmpty();
  }

  /** Every public or protected signature of {@code types} that names a type whose name starts with {@code prefix}. */
  private static List<String> offenders(List<Class<?>> types, String prefix) {
    List<String> offenders = new ArrayList<>();
    for (Class<?> c : types) {
      check(c.getName() + " extends", c.getGenericSuperclass(), prefix, offenders);
      for (Type t : c.getGenericInterfaces()) {
        check(c.getName() + " implements", t, prefix, offenders);
      }
      for (Field f : c.getDeclaredFields()) {
        if (visible(f)) {
          check(f.toString(), f.getGenericType(), prefix, offenders);
        }
      }
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (visible(k)) {
          checkExecutable(k, prefix, offenders);
        }
      }
      for (Method m : c.getDeclaredMethods()) {
        if (visible(m) && !m.isSynthetic() && !m.isBridge()) {
          check(m.toString(), m.getGenericReturnType(), prefix, offenders);
          checkExecutable(m, prefix, offenders);
        }
      }
    }
    return offenders;
  }

  @Test
  void check_dnsjavaInASignature_isFound() throws NoSuchMethodException {
    // Guards the check above: a signature naming dnsjava (in a type argument, too) is reported.
    List<String> offenders = new ArrayList<>();
    check("sample", Sample.class.getDeclaredMethod("names").getGenericReturnType(), DNSJAVA, offenders);
    assertThat(offenders).singleElement().asString().contains("org.xbill.DNS.Name");
  }

  /** Not part of the check: only a signature that names dnsjava in a type argument. */
  private interface Sample {
    List<org.xbill.DNS.Name> names();
  }

  private static void checkExecutable(Executable e, String prefix, List<String> offenders) {
    for (Type t : e.getGenericParameterTypes()) {
      check(e.toString(), t, prefix, offenders);
    }
    for (Type t : e.getGenericExceptionTypes()) {
      check(e.toString(), t, prefix, offenders);
    }
    for (TypeVariable<?> v : e.getTypeParameters()) {
      for (Type b : v.getBounds()) {
        check(e.toString(), b, prefix, offenders);
      }
    }
  }

  private static void check(String where, Type t, String prefix, List<String> offenders) {
    if (t == null) {
      return;
    }
    if (t instanceof Class<?> c) {
      Class<?> base = c;
      while (base.isArray()) {
        base = base.getComponentType();
      }
      if (base.getName().startsWith(prefix)) {
        offenders.add(where + ": " + base.getName());
      }
    } else if (t instanceof ParameterizedType p) {
      check(where, p.getRawType(), prefix, offenders);
      for (Type a : p.getActualTypeArguments()) {
        check(where, a, prefix, offenders);
      }
    } else if (t instanceof GenericArrayType g) {
      check(where, g.getGenericComponentType(), prefix, offenders);
    } else if (t instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        check(where, b, prefix, offenders);
      }
      for (Type b : w.getLowerBounds()) {
        check(where, b, prefix, offenders);
      }
    }
  }

  private static boolean visible(Member m) {
    return Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers());
  }

  /** Every public top-level or nested type of the module's main classes, reachable from outside its package. */
  private static List<Class<?>> publicTypes() throws IOException, URISyntaxException {
    Path classes = Path.of(QueryHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
        String name = classes.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".")
            .replaceFirst("\\.class$", "");
        if (name.startsWith("META-INF") || name.endsWith("package-info")) {
          continue;
        }
        Class<?> c;
        try {
          c = Class.forName(name, false, QueryHandler.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
          continue; // a multi-release variant for another Java version
        }
        if (reachable(c)) {
          out.add(c);
        }
      }
    }
    return out;
  }

  private static boolean reachable(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
      if (!Modifier.isPublic(k.getModifiers()) && !(k != c && Modifier.isProtected(c.getModifiers()))) {
        return false;
      }
      if (k.isAnonymousClass() || k.isLocalClass()) {
        return false;
      }
    }
    return true;
  }
}
