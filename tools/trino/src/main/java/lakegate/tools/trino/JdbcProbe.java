package lakegate.tools.trino;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives the Trino JDBC driver the way BI tools do and prints what it saw, one line per check:
 * {@code <check>\t<result>}. The test runs it against Lakegate's Trino door and the real Trino
 * and compares the lines.
 *
 * <p>Usage: {@code JdbcProbe <jdbc-url> <user> [password]}; with a password the URL must use
 * TLS (the driver sends Basic credentials only over TLS).
 */
public final class JdbcProbe {
    private JdbcProbe() {}

    public static void main(String[] args) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", args[1]);
        if (args.length > 2 && !args[2].isEmpty()) {
            properties.setProperty("password", args[2]);
        }
        try (Connection connection = DriverManager.getConnection(args[0], properties)) {
            DatabaseMetaData meta = connection.getMetaData();
            check("catalogs", () -> column(meta.getCatalogs(), "TABLE_CAT", "tpch"::equals));
            check("schemas", () -> column(meta.getSchemas("tpch", null), "TABLE_SCHEM", "tiny"::equals));
            check("tables", () -> rows(meta.getTables("tpch", "tiny", "%", null), "TABLE_NAME", "TABLE_TYPE"));
            check("columns", () -> rows(meta.getColumns("tpch", "tiny", "orders", null),
                    "COLUMN_NAME", "TYPE_NAME", "DATA_TYPE", "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE", "ORDINAL_POSITION"));
            check("type_info", () -> rows(meta.getTypeInfo(), "TYPE_NAME", "DATA_TYPE"));
            check("primary_keys", () -> "rows=" + count(meta.getPrimaryKeys("tpch", "tiny", "orders")));
            check("functions", () -> "rows>0=" + (count(meta.getFunctions(null, null, "%")) > 0));
            check("types", () -> query(connection,
                    "SELECT TINYINT '1' AS ti, SMALLINT '2' AS si, 3 AS i, BIGINT '4' AS bi, REAL '1.5' AS r, "
                            + "2.5E0 AS d, DECIMAL '12.345' AS dec, 'abc' AS vc, true AS b, DATE '2024-02-29' AS dt, "
                            + "TIMESTAMP '2024-02-29 12:34:56.789' AS ts, X'0102' AS vb, ARRAY[1, 2] AS arr, "
                            + "CAST(NULL AS integer) AS n"));
            check("tpch_query", () -> query(connection,
                    "SELECT o_orderkey, o_custkey, o_totalprice, o_orderdate, o_orderpriority "
                            + "FROM tpch.tiny.orders ORDER BY o_orderkey LIMIT 3"));
            check("prepared", () -> {
                try (PreparedStatement statement = connection.prepareStatement(
                        "SELECT o_orderkey, o_orderstatus FROM tpch.tiny.orders WHERE o_orderkey = ? AND o_orderstatus = ?")) {
                    statement.setLong(1, 1);
                    statement.setString(2, "O");
                    return dump(statement.executeQuery());
                }
            });
            check("max_rows", () -> {
                try (Statement statement = connection.createStatement()) {
                    statement.setMaxRows(5);
                    return "rows=" + count(statement.executeQuery("SELECT o_orderkey FROM tpch.tiny.orders ORDER BY o_orderkey"));
                }
            });
            check("error", () -> {
                try (Statement statement = connection.createStatement()) {
                    statement.executeQuery("SELECT * FROM tpch.tiny.no_such_table");
                    return "no error";
                } catch (SQLException e) {
                    return "SQLException";
                }
            });
            check("cancel", () -> cancel(connection));
        }
    }

    interface Check {
        String run() throws Exception;
    }

    interface Keep {
        boolean test(String value);
    }

    private static void check(String name, Check check) {
        String result;
        try {
            result = check.run();
        } catch (Exception e) {
            result = "ERROR " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        }
        System.out.println(name + "\t" + result.replace("\n", " | "));
    }

    private static String column(ResultSet rs, String name, Keep keep) throws SQLException {
        List<String> values = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                String value = rs.getString(name);
                if (keep.test(value)) {
                    values.add(value);
                }
            }
        }
        values.sort(null);
        return String.join(",", values);
    }

    private static String rows(ResultSet rs, String... names) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (String name : names) {
                    cells.add(String.valueOf(rs.getObject(name)));
                }
                lines.add(String.join(" ", cells));
            }
        }
        return String.join("; ", lines);
    }

    private static int count(ResultSet rs) throws SQLException {
        int n = 0;
        try (rs) {
            while (rs.next()) {
                n++;
            }
        }
        return n;
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            return dump(statement.executeQuery(sql));
        }
    }

    private static String dump(ResultSet rs) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (rs) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                out.append(md.getColumnLabel(i)).append(':').append(md.getColumnTypeName(i)).append('/')
                        .append(md.getColumnType(i)).append('/').append(md.getPrecision(i)).append('/')
                        .append(md.getScale(i)).append(' ');
            }
            out.append("=>");
            while (rs.next()) {
                out.append(" [");
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object value = rs.getObject(i);
                    if (value instanceof byte[] bytes) {
                        StringBuilder hex = new StringBuilder();
                        for (byte b : bytes) {
                            hex.append(String.format("%02x", b));
                        }
                        value = "0x" + hex;
                    } else if (value instanceof java.sql.Array array) {
                        value = java.util.Arrays.toString((Object[]) array.getArray());
                    }
                    out.append(i > 1 ? ", " : "").append(value);
                }
                out.append(']');
            }
        }
        return out.toString();
    }

    private static String cancel(Connection connection) throws Exception {
        Statement statement = connection.createStatement();
        AtomicReference<String> outcome = new AtomicReference<>("not started");
        Thread runner = new Thread(() -> {
            try {
                ResultSet rs = statement.executeQuery(
                        "SELECT count(*) FROM tpch.tiny.lineitem a CROSS JOIN tpch.tiny.lineitem b CROSS JOIN tpch.tiny.nation c");
                rs.next();
                outcome.set("finished");
            } catch (SQLException e) {
                outcome.set("SQLException");
            }
        });
        runner.start();
        Thread.sleep(1500);
        long started = System.nanoTime();
        statement.cancel();
        runner.join(30_000);
        long millis = (System.nanoTime() - started) / 1_000_000;
        statement.close();
        return outcome.get() + (millis < 10_000 ? " within 10 s" : " after " + millis + " ms");
    }
}
