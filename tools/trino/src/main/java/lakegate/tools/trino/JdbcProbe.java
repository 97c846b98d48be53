package lakegate.tools.trino;

public final class JdbcProbe {
    public static void main(String[] args) {}
}
