package fr.socle.cli; public class Socle { public static void main(String[] a){} }
