package io.github.trafficpolicy.dns.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Request bodies in, response bodies out. Parsing refuses any document type declaration (so no entity, internal or
 * external, is ever defined or resolved: no XXE, no entity expansion), XInclude and external schemas; the writer
 * escapes text so every string (a policy document included) comes back to the client byte for byte.
 */
final class Xml {
  /** Route 53's namespace, on every response's root element. */
  static final String NAMESPACE = "https://route53.amazonaws.com/doc/2013-04-01/";

  private Xml() {}

  /** A parsed request body: its root element, checked to be {@code rootName}. */
  static Element parse(byte[] body, String rootName) {
    if (body.length == 0) {
      throw ApiException.invalidInput("The request body is empty; expected a " + rootName + " element");
    }
    Element root;
    try {
      DocumentBuilder builder = factory().newDocumentBuilder();
      builder.setErrorHandler(new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXException {
          throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
          throw e;
        }
      });
      builder.setEntityResolver((publicId, systemId) -> {
        throw new SAXException("external entities are not allowed");
      });
      root = builder.parse(new InputSource(new ByteArrayInputStream(body))).getDocumentElement();
    } catch (SAXParseException e) {
      throw ApiException.invalidInput("Malformed XML (line " + e.getLineNumber() + ", column " + e.getColumnNumber()
          + "): " + e.getMessage());
    } catch (SAXException | IOException e) {
      throw ApiException.invalidInput("Malformed XML: " + e.getMessage());
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser cannot be configured safely", e);
    }
    String name = root.getLocalName() == null ? root.getNodeName() : root.getLocalName();
    if (!name.equals(rootName)) {
      throw ApiException.invalidInput("The root element must be " + rootName + " but was " + name);
    }
    if (root.getNamespaceURI() != null && !root.getNamespaceURI().equals(NAMESPACE)) {
      throw ApiException.invalidInput("The namespace must be " + NAMESPACE + " but was " + root.getNamespaceURI());
    }
    return root;
  }

  private static DocumentBuilderFactory factory() throws ParserConfigurationException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    return f;
  }

  /** The child elements of {@code parent} named {@code name}. */
  static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getLocalName() == null ? e.getNodeName() : e.getLocalName())) {
        out.add(e);
      }
    }
    return out;
  }

  /** The text of the single child {@code name}, if present; more than one is an error. */
  static Optional<String> text(Element parent, String name) {
    List<Element> c = children(parent, name);
    if (c.size() > 1) {
      throw ApiException.invalidInput("Element " + name + " is given " + c.size() + " times");
    }
    if (c.isEmpty()) {
      return Optional.empty();
    }
    for (Node n = c.get(0).getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element) {
        throw ApiException.invalidInput("Element " + name + " must hold text, not elements");
      }
    }
    return Optional.of(c.get(0).getTextContent());
  }

  /** The text of the required child {@code name}. */
  static String required(Element parent, String name) {
    return text(parent, name).orElseThrow(() -> ApiException.invalidInput(
        "Missing required element " + name + " in " + parent.getLocalName()));
  }

  /** A response document under construction: {@code <?xml ...?><Root xmlns="...">...</Root>}. */
  static final class Writer {
    private final StringBuilder b = new StringBuilder();
    private final List<String> open = new ArrayList<>();

    Writer(String root) {
      b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<").append(root).append(" xmlns=\"").append(NAMESPACE)
          .append("\">");
      open.add(root);
    }

    /** Opens a child element. */
    Writer start(String name) {
      b.append('<').append(name).append('>');
      open.add(name);
      return this;
    }

    /** Closes the innermost open element. */
    Writer end() {
      b.append("</").append(open.remove(open.size() - 1)).append('>');
      return this;
    }

    /** An element with text. */
    Writer element(String name, Object value) {
      b.append('<').append(name).append('>');
      escape(String.valueOf(value));
      b.append("</").append(name).append('>');
      return this;
    }

    /** An element with text when {@code value} is present. */
    Writer element(String name, Optional<?> value) {
      value.ifPresent(v -> element(name, v));
      return this;
    }

    private void escape(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '&' -> b.append("&amp;");
          case '<' -> b.append("&lt;");
          case '>' -> b.append("&gt;");
          case '\r' -> b.append("&#13;");
          case '\t' -> b.append("&#9;");
          default -> b.append(c);
        }
      }
    }

    /** The finished document (closes every open element). */
    String finish() {
      while (!open.isEmpty()) {
        end();
      }
      return b.toString();
    }
  }
}
