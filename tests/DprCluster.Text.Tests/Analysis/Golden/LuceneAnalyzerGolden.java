// Writes Lucene's own output for the analyzer golden set: for each input line "label<TAB>base64(UTF-8 text)" the
// StandardTokenizer tokens and the EnglishAnalyzer terms, one JSON object per line. Run by make-golden.sh.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import org.apache.lucene.analysis.*;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

public class LuceneAnalyzerGolden {
    public static void main(String[] args) throws IOException {
        List<String> lines = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
        try (Analyzer english = new EnglishAnalyzer();
             Writer out = Files.newBufferedWriter(Paths.get(args[1]), StandardCharsets.UTF_8)) {
            for (String line : lines) {
                int tab = line.indexOf('\t');
                String label = line.substring(0, tab);
                String text = new String(Base64.getDecoder().decode(line.substring(tab + 1)), StandardCharsets.UTF_8);
                StringBuilder json = new StringBuilder("{\"label\":").append(quote(label));
                if (label.startsWith("adversarial/")) {
                    json.append(",\"text\":").append(quote(text));
                    json.append(",\"tokens\":").append(array(tokenize(text)));
                }
                json.append(",\"terms\":").append(array(analyze(english, text))).append("}\n");
                out.write(json.toString());
            }
        }
    }

    static List<String> tokenize(String text) throws IOException {
        try (StandardTokenizer tokenizer = new StandardTokenizer()) {
            tokenizer.setReader(new StringReader(text));
            return collect(tokenizer);
        }
    }

    static List<String> analyze(Analyzer analyzer, String text) throws IOException {
        try (TokenStream stream = analyzer.tokenStream("contents", text)) {
            return collect(stream);
        }
    }

    static List<String> collect(TokenStream stream) throws IOException {
        CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
        List<String> result = new ArrayList<>();
        stream.reset();
        while (stream.incrementToken()) {
            result.add(term.toString());
        }
        stream.end();
        return result;
    }

    static String array(List<String> items) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            json.append(i == 0 ? "" : ",").append(quote(items.get(i)));
        }
        return json.append(']').toString();
    }

    static String quote(String s) {
        StringBuilder json = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7F || Character.isSurrogate(c) || (c >= 0x80 && c < 0xA0) || c == 0x2028 || c == 0x2029) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }
}
