package dev.loupe.datasets;

/**
 * Input the user can fix (usage, file format, shapes, non-finite data): the CLI prints the message
 * as one line and exits with code 2.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
