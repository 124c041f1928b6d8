package dev.loupe.engine;

/** Bytes a backend has in use and could still allocate; -1 where the backend cannot tell. */
public record MemoryInfo(long usedBytes, long freeBytes, long totalBytes) {}
